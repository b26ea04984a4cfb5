import Router from '@koa/router';
import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import { accountSignInUrl } from '../oidc/account-client.ts';
import type { PageRenderer } from './renderer.ts';

/** How recent a sign-in must be for a sensitive change (creating an API key, ...). */
export const FRESH_SIGN_IN_SEC = 5 * 60;

/**
 * Whether this browser's session signed in within `FRESH_SIGN_IN_SEC` (oidc-provider's `loginTs`,
 * set by every completed sign-in, `prompt=login` included). A session stolen or left open an hour
 * ago cannot mint a credential that outlives it.
 */
export async function signedInRecently(provider: Provider, ctx: Context, now = Date.now()): Promise<boolean> {
  const session = await provider.Session.get(ctx as never);
  const loginTs = session.authTime();
  return typeof loginTs === 'number' && Math.floor(now / 1000) - loginTs <= FRESH_SIGN_IN_SEC;
}

/** Where a person confirms who they are (the password, and the second factor if they have one) and comes back to `/account`. */
export const CONFIRM_IDENTITY_HREF = '/account/confirm-identity';

/**
 * True when the session signed in recently; otherwise renders a 403 page saying that `what` needs
 * a recent sign-in, with a link that signs in again (`prompt=login`) and returns to the account page.
 */
export async function requireFreshSignIn(
  deps: { provider: Provider; pages: PageRenderer },
  ctx: Context,
  what: string,
): Promise<boolean> {
  if (await signedInRecently(deps.provider, ctx)) return true;
  deps.pages.render(
    ctx,
    'message',
    {
      title: 'Confirm it is you',
      message: `${what} needs a sign-in within the last ${FRESH_SIGN_IN_SEC / 60} minutes. Sign in again, then do it once more.`,
      link: { href: CONFIRM_IDENTITY_HREF, text: 'Sign in again' },
    },
    403,
  );
  return false;
}

/** `GET /account/confirm-identity`: sign in again (`prompt=login`) and come back to the account page. */
export function createConfirmIdentityRoutes(issuer: string): Router {
  const router = new Router();
  router.get(CONFIRM_IDENTITY_HREF, (ctx) => {
    ctx.status = 303;
    ctx.redirect(accountSignInUrl(issuer, '/account', undefined, true));
  });
  return router;
}
