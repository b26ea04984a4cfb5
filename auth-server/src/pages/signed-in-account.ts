import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import type { AccountRepository, AccountRow } from '../accounts/account-repository.ts';

/** The person signed in to this browser (oidc-provider's session), unless disabled or gone. */
export function createSignedInAccount(deps: { provider: Provider; accounts: AccountRepository }) {
  return async function signedInAccount(ctx: Context): Promise<AccountRow | undefined> {
    const session = await deps.provider.Session.get(ctx as never);
    const account = session.accountId ? await deps.accounts.findById(session.accountId) : undefined;
    return account && !account.disabled ? account : undefined;
  };
}
