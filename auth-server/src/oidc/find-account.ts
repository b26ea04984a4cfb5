import type { FindAccount, Account as OidcAccount } from 'oidc-provider';
import type { AccountRepository } from '../accounts/account-repository.ts';

/** oidc-provider's view of an account. Disabled or deleted accounts are not found, so their grants stop working. */
export function createFindAccount(accounts: AccountRepository): FindAccount {
  return async (_ctx, id): Promise<OidcAccount | undefined> => {
    const account = await accounts.findById(id);
    if (!account || account.disabled) return undefined;
    return {
      accountId: account.id,
      claims: () => ({ sub: account.id, email: account.email, email_verified: account.emailVerified }),
    };
  };
}
