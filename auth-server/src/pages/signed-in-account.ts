import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import type { AccountRepository, AccountRow } from '../accounts/account-repository.ts';
import { type ACCOUNT_PAGES, accountSignInUrl } from '../oidc/account-client.ts';

/** The person signed in to this browser (oidc-provider's session), unless disabled or gone. */
export function createSignedInAccount(deps: { provider: Provider; accounts: AccountRepository }) {
  return async function signedInAccount(ctx: Context): Promise<AccountRow | undefined> {
    const session = await deps.provider.Session.get(ctx as never);
    const account = session.accountId ? await deps.accounts.findById(session.accountId) : undefined;
    return account && !account.disabled ? account : undefined;
  };
}

/**
 * Sends a browser that is not signed in to sign in for `page` (the account page or the developer
 * console). One that comes back from that sign-in cancelled ("Cancel and return to the app":
 * `error=access_denied` on the page's redirect URI) goes to the front door instead of being asked
 * again, round and round.
 */
export function sendToSignIn(ctx: Context, issuer: string, page: (typeof ACCOUNT_PAGES)[number]): void {
  ctx.status = 303;
  ctx.redirect(ctx.query.error === 'access_denied' ? '/' : accountSignInUrl(issuer, page));
}
