import Router from '@koa/router';
import { AppError, VECTOR_SCOPES } from '@vectorauth/shared';
import type { Context } from 'koa';
import { clientKeyScopes, clientKeysOf } from '../api-keys/client-key-scopes.ts';
import { API_KEY_EXPIRY_DAYS, readNewApiKey } from '../api-keys/new-api-key-form.ts';
import type { AuditAction } from '../audit/audit-actions.ts';
import { auditRequest } from '../audit/audit-request.ts';
import type { RegisteredClient } from '../clients/client-registry.ts';
import { accountSignInUrl } from '../oidc/account-client.ts';
import { createAuditedApiKey, revokeAuditedApiKey } from './api-key-page-actions.ts';
import { createConfirmFirst } from './confirm-first.ts';
import { signedInRecently } from './fresh-sign-in.ts';
import type { PageDeps } from './page-deps.ts';
import { type FormFields, formOf } from './page-form.ts';
import { createSignedInAccount, sendToSignIn } from './signed-in-account.ts';

type Deps = Pick<
  PageDeps,
  | 'provider'
  | 'accounts'
  | 'clients'
  | 'initialAccessTokens'
  | 'apiKeys'
  | 'pages'
  | 'csrf'
  | 'issuer'
  | 'audit'
>;

const INITIAL_ACCESS_TOKEN_TTL = 24 * 3600;

/** The console's success messages, by the `notice` a redirect names. */
const CONSOLE_NOTICES: Record<string, string> = {
  deleted: 'The app was deleted and its tokens and API keys revoked.',
  token_deleted: 'The initial access token was deleted. It no longer works.',
  no_token: 'That initial access token was already deleted or has expired.',
  key_revoked: 'The API key was revoked. It stops working at once, everywhere.',
  no_key: 'That API key was already revoked or has expired.',
};

const KINDS = [
  ['web', 'Web app (server-side, keeps a secret)'],
  ['spa', 'Single-page app (runs in the browser, no secret)'],
  ['native', 'Native or mobile app (no secret)'],
  ['m2m', 'Machine-to-machine (client credentials)'],
] as const;
type Kind = (typeof KINDS)[number][0];

const CONSOLE_SCOPES: [string, string][] = [
  ['openid', 'Know who the user is'],
  ['offline_access', 'Refresh tokens'],
  ['email', 'The user’s e-mail address'],
  ...(['vectors:read', 'vectors:write', 'vectors:delete'] as const).map((s): [string, string] => [
    s,
    VECTOR_SCOPES[s],
  ]),
];

/** Client metadata for each kind of app in the page. */
function metadataFor(
  kind: Kind,
  name: string,
  redirectUris: string[],
  scopes: string[],
): Record<string, unknown> {
  const scope = scopes.join(' ') || undefined;
  switch (kind) {
    case 'web':
      return {
        client_name: name,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        scope,
      };
    case 'spa':
      return {
        client_name: name,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'none',
        scope,
      };
    case 'native':
      return {
        client_name: name,
        redirect_uris: redirectUris,
        application_type: 'native',
        grant_types: ['authorization_code', 'refresh_token'],
        token_endpoint_auth_method: 'none',
        scope,
      };
    case 'm2m':
      return {
        client_name: name,
        grant_types: ['client_credentials'],
        scope: scopes.filter((s) => s.startsWith('vectors:')).join(' ') || undefined,
      };
  }
}

const CONSOLE_FIELDS = new Set(['_csrf', 'name', 'kind', 'redirect_uris']);
const isConsoleField = (key: string) => CONSOLE_FIELDS.has(key) || key.startsWith('scope:');

const kindOf = (app: RegisteredClient): string => {
  const grants = (app.grant_types as string[] | undefined) ?? [];
  if (grants.includes('client_credentials')) return KINDS[3][1];
  if (app.application_type === 'native') return KINDS[2][1];
  return app.token_endpoint_auth_method === 'none' ? KINDS[1][1] : KINDS[0][1];
};

/**
 * `/developers`: signed-in people register apps (web, single-page, native, machine-to-machine), see
 * the client id and the secret once, rotate the secret, delete the app. Only the owner sees an app.
 */
export function createDeveloperRoutes(deps: Deps): Router {
  const page = developerConsole(deps);
  const router = new Router({ prefix: '/developers' });
  router.get('/', showConsole(page));
  router.post('/apps', registerApp(page));
  router.get('/apps/:id', showApp(page));
  router.post('/apps/:id/secret', rotateSecret(page));
  router.post('/initial-access-tokens', issueInitialAccessToken(page));
  router.post('/initial-access-tokens/delete', deleteInitialAccessToken(page));
  router.post('/apps/:id/delete', deleteApp(page));
  router.get('/confirm-identity', (ctx) => {
    ctx.status = 303;
    ctx.redirect(accountSignInUrl(deps.issuer, '/developers', undefined, true));
  });
  router.post('/apps/:id/api-keys', createClientKey(page));
  router.post('/apps/:id/api-keys/revoke', revokeClientKey(page));
  return router;
}

/** What every console handler uses. */
function developerConsole(deps: Deps) {
  const { clients, pages, csrf, issuer, audit } = deps;
  const signedIn = createSignedInAccount(deps);
  return {
    ...deps,
    confirmFirst: createConfirmFirst(deps),
    /** The signed-in person, or undefined after sending the browser to sign in first. */
    async signedIn(ctx: Context) {
      const account = await signedIn(ctx);
      if (!account) sendToSignIn(ctx, issuer, '/developers');
      return account;
    },
    /** A console change to one of the signed-in person's apps, for the audit trail. */
    audited: (ctx: Context, accountId: string, action: AuditAction, clientId: string, detail = {}) =>
      audit.record({
        action,
        actor: { type: 'user', id: accountId },
        subject: { type: 'client', id: clientId },
        clientId,
        request: auditRequest(ctx),
        detail: { via: 'console', ...detail },
      }),
    async renderConsole(ctx: Context, accountId: string, extra: Record<string, unknown> = {}, status = 200) {
      const apps = await clients.listOwnedBy(accountId);
      const tokens = await deps.initialAccessTokens.list(accountId);
      const data = { csrf: csrf.token(ctx), apps, tokens, kinds: KINDS, scopes: CONSOLE_SCOPES, ...extra };
      pages.render(ctx, 'developers', data, status);
    },
    /** The app's page; a machine-to-machine app's also lists its API keys and offers a new one. */
    async renderApp(
      ctx: Context,
      app: RegisteredClient,
      extra: { secret?: string; notice?: string; values?: FormFields; errors?: Record<string, string> } = {},
      status = 200,
    ) {
      const keys = clientKeysOf(app)
        ? {
            keys: await deps.apiKeys.list({ kind: 'client', clientId: app.client_id }),
            keyScopes: clientKeyScopes(app).map((s) => [s, VECTOR_SCOPES[s as keyof typeof VECTOR_SCOPES]]),
            expiryDays: API_KEY_EXPIRY_DAYS,
            fresh: await signedInRecently(deps.provider, ctx),
          }
        : {};
      pages.render(
        ctx,
        'developer-app',
        { csrf: csrf.token(ctx), app, kind: kindOf(app), ...keys, ...extra },
        status,
      );
    },
    /** The app, when the signed-in person owns it; otherwise a 404 page (never "it exists but is not yours"). */
    async ownedApp(ctx: Context, accountId: string): Promise<RegisteredClient | undefined> {
      const id = ctx.params.id ?? '';
      if (await clients.isOwner(accountId, id)) return clients.get(id);
      const missing = { title: 'No such app', message: 'There is no app with that id among yours.' };
      pages.render(ctx, 'error', missing, 404);
      return undefined;
    },
  };
}
type DeveloperConsole = ReturnType<typeof developerConsole>;

function showConsole(page: DeveloperConsole) {
  return async function showConsole(ctx: Context) {
    const account = await page.signedIn(ctx);
    if (!account) return;
    const notice = typeof ctx.query.notice === 'string' ? CONSOLE_NOTICES[ctx.query.notice] : undefined;
    await page.renderConsole(ctx, account.id, { notice });
  };
}

function registerApp(page: DeveloperConsole) {
  return async function registerApp(ctx: Context) {
    const account = await page.signedIn(ctx);
    if (!account) return;
    const form = formOf(ctx);
    const kind = (KINDS.find(([k]) => k === form.kind)?.[0] ?? 'web') as Kind;
    const name = (form.name ?? '').trim();
    if (!name) {
      return page.renderConsole(
        ctx,
        account.id,
        { values: form, errors: { name: 'Give the app a name.' } },
        400,
      );
    }
    const metadata = {
      ...metadataFor(kind, name, lines(form.redirect_uris), chosenScopes(form)),
      // Fields this form does not offer go to the registry as metadata, judged by the one client
      // policy like any other door's (unknown or unsupported ones are refused, never dropped).
      ...Object.fromEntries(Object.entries(form).filter(([key]) => !isConsoleField(key))),
    };
    try {
      const created = await page.clients.create(metadata, { owner: account.id });
      await page.audited(ctx, account.id, 'client.registered', created.client_id, { kind });
      await page.renderApp(ctx, created, { secret: created.client_secret });
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      const field = err.code === 'invalid_redirect_uri' ? 'redirect_uris' : 'form';
      await page.renderConsole(ctx, account.id, { values: form, errors: { [field]: err.message } }, 400);
    }
  };
}

function showApp(page: DeveloperConsole) {
  return async function showApp(ctx: Context) {
    const account = await page.signedIn(ctx);
    const app = account && (await page.ownedApp(ctx, account.id));
    const notice = typeof ctx.query.notice === 'string' ? CONSOLE_NOTICES[ctx.query.notice] : undefined;
    if (app) await page.renderApp(ctx, app, { notice });
  };
}

function rotateSecret(page: DeveloperConsole) {
  return async function rotateSecret(ctx: Context) {
    const account = await page.signedIn(ctx);
    const app = account && (await page.ownedApp(ctx, account.id));
    if (!account || !app) return;
    const revokeTokens = formOf(ctx).revoke_tokens === 'on';
    const rotated = await page.clients.rotateSecret(app.client_id, { revokeTokens });
    await page.audited(ctx, account.id, 'client.secret_rotated', app.client_id, {
      revoked_access: revokeTokens,
    });
    await page.renderApp(ctx, app, { secret: rotated.client_secret });
  };
}

/** An RFC 7591 initial access token (24 h, our registration policy) for registering apps by API. */
function issueInitialAccessToken(page: DeveloperConsole) {
  return async function issueInitialAccessToken(ctx: Context) {
    const account = await page.signedIn(ctx);
    if (!account) return;
    const { value } = await page.initialAccessTokens.issue(account.id, INITIAL_ACCESS_TOKEN_TTL);
    page.pages.render(ctx, 'message', {
      title: 'Initial access token',
      message: `Register apps over RFC 7591 at ${page.issuer}/reg with "Authorization: Bearer ${value}". It works for 24 hours and is shown only this once.`,
      link: { href: '/developers', text: 'Back to your apps' },
    });
  };
}

/** Deletes one of the person's initial access tokens, after confirmation: it stops working at once. */
function deleteInitialAccessToken(page: DeveloperConsole) {
  return async function deleteInitialAccessToken(ctx: Context) {
    const account = await page.signedIn(ctx);
    if (!account) return;
    const id = formOf(ctx).token ?? '';
    const confirmed = await page.confirmFirst(ctx, () => ({
      title: 'Delete this initial access token?',
      consequences:
        'It stops working at once: nobody can register an app with it any more. Apps already registered with it stay as they are.',
      confirmLabel: 'Delete token',
      fields: { token: id },
      cancelHref: '/developers',
    }));
    if (!confirmed) return;
    const removed = await page.initialAccessTokens.remove(account.id, id);
    ctx.status = 303;
    ctx.redirect(`/developers?notice=${removed ? 'token_deleted' : 'no_token'}`);
  };
}

function deleteApp(page: DeveloperConsole) {
  return async function deleteApp(ctx: Context) {
    const account = await page.signedIn(ctx);
    const app = account && (await page.ownedApp(ctx, account.id));
    if (!account || !app) return;
    const confirmed = await page.confirmFirst(ctx, () => ({
      title: `Delete ${app.client_name ?? app.client_id}?`,
      consequences: `The app with client ID ${app.client_id} is deleted for good: its client secret stops working, every token issued to it is revoked at once, and everyone's access grants to it are removed. This cannot be undone.`,
      confirmLabel: 'Delete app',
      fields: {},
      cancelHref: `/developers/apps/${encodeURIComponent(app.client_id)}`,
    }));
    if (!confirmed) return;
    await page.clients.delete(app.client_id);
    await page.audited(ctx, account.id, 'client.deleted', app.client_id);
    ctx.status = 303;
    ctx.redirect('/developers?notice=deleted');
  };
}

const lines = (text: string | undefined) =>
  (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 50);

const chosenScopes = (form: FormFields) =>
  CONSOLE_SCOPES.map(([scope]) => scope).filter((scope) => form[`scope:${scope}`] === 'on');

/** A new API key acting as a machine-to-machine app, within its registered scopes (fresh sign-in). */
function createClientKey(page: DeveloperConsole) {
  return async function createClientKey(ctx: Context) {
    const account = await page.signedIn(ctx);
    const app = account && (await page.ownedApp(ctx, account.id));
    if (!account || !app) return;
    const form = formOf(ctx);
    if (!clientKeysOf(app)) {
      const errors = { form: 'Only a machine-to-machine app acts on its own behalf: it alone has API keys.' };
      return page.renderApp(ctx, app, { errors, notice: errors.form }, 400);
    }
    if (!(await signedInRecently(page.provider, ctx))) {
      const errors = { form: 'Your sign-in is too old to create a key: sign in again first.' };
      return page.renderApp(ctx, app, { values: form, errors, notice: errors.form }, 403);
    }
    const input = readNewApiKey(form, clientKeyScopes(app));
    if (!input.ok) return page.renderApp(ctx, app, { values: form, errors: input.errors }, 400);
    const acting = {
      owner: { kind: 'client', clientId: app.client_id },
      accountId: account.id,
      clientId: app.client_id,
      via: 'console',
    } as const;
    const made = await createAuditedApiKey(page, ctx, acting, input.value);
    if ('full' in made) return page.renderApp(ctx, app, { values: form, errors: { name: made.full } }, 409);
    page.pages.render(ctx, 'api-key-created', { ...made, backHref: `/developers/apps/${app.client_id}` });
  };
}

/** Revokes one of an app's API keys, after confirmation: it is refused on its next request. */
function revokeClientKey(page: DeveloperConsole) {
  return async function revokeClientKey(ctx: Context) {
    const account = await page.signedIn(ctx);
    const app = account && (await page.ownedApp(ctx, account.id));
    if (!account || !app) return;
    const id = formOf(ctx).key ?? '';
    const owner = { kind: 'client', clientId: app.client_id } as const;
    const back = `/developers/apps/${app.client_id}`;
    const confirmed = await page.confirmFirst(ctx, async () => {
      const key = (await page.apiKeys.list(owner)).find((k) => k.id === id);
      const name = key ? `"${key.name}"` : 'this API key';
      return {
        title: `Revoke the API key ${name}?`,
        consequences: `Whatever uses ${name} as ${app.client_name ?? app.client_id} is refused at once, on its next request. This cannot be undone.`,
        confirmLabel: 'Revoke key',
        fields: { key: id },
        cancelHref: back,
      };
    });
    if (!confirmed) return;
    const acting = { owner, accountId: account.id, clientId: app.client_id, via: 'console' } as const;
    const name = await revokeAuditedApiKey(page, ctx, acting, id);
    ctx.status = 303;
    ctx.redirect(`${back}?notice=${name === undefined ? 'no_key' : 'key_revoked'}`);
  };
}
