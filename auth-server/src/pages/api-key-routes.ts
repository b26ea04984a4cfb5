import Router from '@koa/router';
import type { Context } from 'koa';
import type { ApiKeyOwner, ApiKeys } from '../api-keys/api-keys.ts';
import { API_KEY_EXPIRY_DAYS, PERSONAL_KEY_SCOPES, readNewApiKey } from '../api-keys/new-api-key-form.ts';
import { accountSignInUrl } from '../oidc/account-client.ts';
import { createAuditedApiKey, revokeAuditedApiKey } from './api-key-page-actions.ts';
import { createConfirmFirst } from './confirm-first.ts';
import { signedInRecently } from './fresh-sign-in.ts';
import type { PageDeps } from './page-deps.ts';
import { formOf } from './page-form.ts';
import { describeScopes } from './scope-descriptions.ts';
import { createSignedInAccount, sendToSignIn } from './signed-in-account.ts';

type Deps = Pick<PageDeps, 'provider' | 'accounts' | 'pages' | 'csrf' | 'issuer' | 'audit'> & {
  apiKeys: ApiKeys;
};

const PAGE = '/account/api-keys';

const NOTICES: Record<string, string> = {
  revoked: 'The API key was revoked. It stops working at once, everywhere.',
  no_key: 'That API key was already revoked or has expired.',
};

/**
 * `/account/api-keys`: the person's API keys (name, access, expiry, last use), each revocable
 * after confirmation, and a form that creates one. Creating needs a sign-in within the last few
 * minutes (`fresh-sign-in.ts`): "Sign in again" asks for the password (`prompt=login`) and comes
 * back here. The key is shown once.
 */
export function createApiKeyRoutes(deps: Deps): Router {
  const signedIn = createSignedInAccount(deps);
  const confirmFirst = createConfirmFirst(deps);
  const router = new Router({ prefix: PAGE });
  const owner = (accountId: string): ApiKeyOwner => ({ kind: 'account', accountId });

  async function render(ctx: Context, accountId: string, extra: Record<string, unknown> = {}, status = 200) {
    deps.pages.render(
      ctx,
      'api-keys',
      {
        csrf: deps.csrf.token(ctx),
        keys: await deps.apiKeys.list(owner(accountId)),
        fresh: await signedInRecently(deps.provider, ctx),
        scopes: PERSONAL_KEY_SCOPES.map((scope) => [scope, describeScopes([scope])[0]]),
        expiryDays: API_KEY_EXPIRY_DAYS,
        ...extra,
      },
      status,
    );
  }

  router.get('/', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return sendToSignIn(ctx, deps.issuer, PAGE);
    const notice = typeof ctx.query.notice === 'string' ? NOTICES[ctx.query.notice] : undefined;
    await render(ctx, account.id, { notice });
  });

  router.get('/confirm-identity', (ctx) => {
    ctx.status = 303;
    ctx.redirect(accountSignInUrl(deps.issuer, PAGE, undefined, true));
  });

  router.post('/', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return sendToSignIn(ctx, deps.issuer, PAGE);
    const form = formOf(ctx);
    if (!(await signedInRecently(deps.provider, ctx))) {
      const errors = { form: 'Your sign-in is too old to create a key: sign in again first.' };
      return render(ctx, account.id, { values: form, errors, notice: errors.form }, 403);
    }
    const input = readNewApiKey(form);
    if (!input.ok) return render(ctx, account.id, { values: form, errors: input.errors }, 400);
    const made = await createAuditedApiKey(
      deps,
      ctx,
      { owner: owner(account.id), accountId: account.id },
      input.value,
    );
    if ('full' in made) return render(ctx, account.id, { values: form, errors: { name: made.full } }, 409);
    deps.pages.render(ctx, 'api-key-created', made);
  });

  router.post('/revoke', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return sendToSignIn(ctx, deps.issuer, PAGE);
    const id = formOf(ctx).key ?? '';
    const confirmed = await confirmFirst(ctx, async () => {
      const key = (await deps.apiKeys.list(owner(account.id))).find((k) => k.id === id);
      const name = key ? `"${key.name}"` : 'this API key';
      return {
        title: `Revoke the API key ${name}?`,
        consequences: `Every script or tool using ${name} is refused at once, on its next request. This cannot be undone: you would create a new key and put it where the old one was.`,
        confirmLabel: 'Revoke key',
        fields: { key: id },
        cancelHref: PAGE,
      };
    });
    if (!confirmed) return;
    const name = await revokeAuditedApiKey(
      deps,
      ctx,
      { owner: owner(account.id), accountId: account.id },
      id,
    );
    ctx.status = 303;
    ctx.redirect(`${PAGE}?notice=${name === undefined ? 'no_key' : 'revoked'}`);
  });
  return router;
}
