import Router from '@koa/router';
import { AppError, VECTOR_SCOPES } from '@vectorauth/shared';
import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { AuditAction } from '../audit/audit-actions.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';
import type { ClientRegistry, RegisteredClient } from '../clients/client-registry.ts';
import { accountSignInUrl } from '../oidc/account-client.ts';
import { REGISTRATION_POLICY } from '../oidc/registration-features.ts';
import type { Csrf } from './csrf.ts';
import { type FormFields, formOf } from './page-form.ts';
import type { PageRenderer } from './renderer.ts';
import { createSignedInAccount } from './signed-in-account.ts';

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

/** Client metadata for each kind of app in the console. */
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
export function createDeveloperRoutes(deps: {
  provider: Provider;
  accounts: AccountRepository;
  clients: ClientRegistry;
  pages: PageRenderer;
  csrf: Csrf;
  issuer: string;
  audit: AuditLog;
}): Router {
  const { clients, pages, csrf, issuer, audit } = deps;
  /** A console change to one of the signed-in person's apps, for the audit trail. */
  const audited = (ctx: Context, accountId: string, action: AuditAction, clientId: string, detail = {}) =>
    audit.record({
      action,
      actor: { type: 'user', id: accountId },
      subject: { type: 'client', id: clientId },
      clientId,
      request: auditRequest(ctx),
      detail: { via: 'console', ...detail },
    });
  const signedIn = createSignedInAccount(deps);
  const router = new Router({ prefix: '/developers' });

  const toSignIn = (ctx: Context) => {
    ctx.status = 303;
    ctx.redirect(accountSignInUrl(issuer, '/developers'));
  };

  const renderConsole = async (
    ctx: Context,
    accountId: string,
    extra: Record<string, unknown> = {},
    status = 200,
  ) =>
    pages.render(
      ctx,
      'developers',
      {
        csrf: csrf.token(ctx),
        apps: await clients.listOwnedBy(accountId),
        kinds: KINDS,
        scopes: CONSOLE_SCOPES,
        ...extra,
      },
      status,
    );

  const renderApp = (ctx: Context, app: RegisteredClient, secret?: string) =>
    pages.render(ctx, 'developer-app', { csrf: csrf.token(ctx), app, secret, kind: kindOf(app) });

  /** The app, when the signed-in person owns it; otherwise a 404 page (never "it exists but is not yours"). */
  async function ownedApp(ctx: Context, accountId: string): Promise<RegisteredClient | undefined> {
    const id = ctx.params.id ?? '';
    if (await clients.isOwner(accountId, id)) return clients.get(id);
    pages.render(
      ctx,
      'error',
      { title: 'No such app', message: 'There is no app with that id among yours.' },
      404,
    );
    return undefined;
  }

  router.get('/', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return toSignIn(ctx);
    const notice = ctx.query.notice === 'deleted' ? 'The app was deleted and its tokens revoked.' : undefined;
    await renderConsole(ctx, account.id, { notice });
  });

  router.post('/apps', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return toSignIn(ctx);
    const form = formOf(ctx);
    const kind = (KINDS.find(([k]) => k === form.kind)?.[0] ?? 'web') as Kind;
    const name = (form.name ?? '').trim();
    if (!name)
      return renderConsole(ctx, account.id, { values: form, errors: { name: 'Give the app a name.' } }, 400);
    const metadata = {
      ...metadataFor(kind, name, lines(form.redirect_uris), chosenScopes(form)),
      // Fields this form does not offer go to the registry as metadata, judged by the one client
      // policy like any other door's (unknown or unsupported ones are refused, never dropped).
      ...Object.fromEntries(Object.entries(form).filter(([key]) => !isConsoleField(key))),
    };
    try {
      const created = await clients.create(metadata, { owner: account.id });
      await audited(ctx, account.id, 'client.registered', created.client_id, { kind });
      renderApp(ctx, created, created.client_secret);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      const field = err.code === 'invalid_redirect_uri' ? 'redirect_uris' : 'form';
      await renderConsole(ctx, account.id, { values: form, errors: { [field]: err.message } }, 400);
    }
  });

  router.get('/apps/:id', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return toSignIn(ctx);
    const app = await ownedApp(ctx, account.id);
    if (app) renderApp(ctx, app);
  });

  router.post('/apps/:id/secret', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return toSignIn(ctx);
    const app = await ownedApp(ctx, account.id);
    if (!app) return;
    const revokeTokens = formOf(ctx).revoke_tokens === 'on';
    const rotated = await clients.rotateSecret(app.client_id, { revokeTokens });
    await audited(ctx, account.id, 'client.secret_rotated', app.client_id, { revoked_access: revokeTokens });
    renderApp(ctx, app, rotated.client_secret);
  });

  /** An RFC 7591 initial access token (24 h, our registration policy) for registering apps by API. */
  router.post('/initial-access-tokens', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return toSignIn(ctx);
    const expiresIn = 24 * 3600;
    const token = await new deps.provider.InitialAccessToken({
      expiresIn,
      policies: [REGISTRATION_POLICY],
    }).save();
    pages.render(ctx, 'message', {
      title: 'Initial access token',
      message: `Register apps over RFC 7591 at ${issuer}/reg with "Authorization: Bearer ${token}". It works for 24 hours and is shown only this once.`,
      link: { href: '/developers', text: 'Back to your apps' },
    });
  });

  router.post('/apps/:id/delete', async (ctx) => {
    const account = await signedIn(ctx);
    if (!account) return toSignIn(ctx);
    const app = await ownedApp(ctx, account.id);
    if (!app) return;
    await clients.delete(app.client_id);
    await audited(ctx, account.id, 'client.deleted', app.client_id);
    ctx.status = 303;
    ctx.redirect('/developers?notice=deleted');
  });

  return router;
}

const lines = (text: string | undefined) =>
  (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 50);

const chosenScopes = (form: FormFields) =>
  CONSOLE_SCOPES.map(([scope]) => scope).filter((scope) => form[`scope:${scope}`] === 'on');
