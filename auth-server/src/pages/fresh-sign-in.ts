import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';

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
