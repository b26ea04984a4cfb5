import type { AccountRepository, AccountRow } from '../accounts/account-repository.ts';
import { emailSchema } from '../accounts/email-address.ts';
import type { FederatedIdentityRepository } from './federated-identity-repository.ts';
import { unusablePasswordHash } from './unusable-password.ts';
import type { UpstreamIdentity } from './upstream-provider.ts';

export type FederatedResolution =
  | { ok: true; account: AccountRow; how: 'existing_link' | 'linked_by_email' | 'created' }
  | { ok: false; reason: 'no_email' | 'unverified_email' | 'disabled' | 'conflict' };

export interface FederatedAccounts {
  /**
   * The account an upstream identity signs in to: the linked one; else the account with the same
   * e-mail, linked now only when both the provider and the account have it verified; else a new
   * account (no usable password, e-mail verified when the provider says so).
   */
  resolve(identity: UpstreamIdentity): Promise<FederatedResolution>;
}

export function createFederatedAccounts(deps: {
  accounts: AccountRepository;
  identities: FederatedIdentityRepository;
}): FederatedAccounts {
  const { accounts, identities } = deps;
  return {
    async resolve(identity) {
      const link = await identities.find(identity.provider, identity.subject);
      if (link) {
        const account = await accounts.findById(link.accountId);
        if (!account) return { ok: false, reason: 'conflict' };
        if (account.disabled) return { ok: false, reason: 'disabled' };
        await identities.touch(link.id, identity);
        return { ok: true, account, how: 'existing_link' };
      }
      const email = emailSchema.safeParse(identity.email ?? '');
      if (!email.success) return { ok: false, reason: 'no_email' };
      const existing = await accounts.findByEmail(email.data);
      if (existing) {
        if (!identity.emailVerified || !existing.emailVerified)
          return { ok: false, reason: 'unverified_email' };
        if (existing.disabled) return { ok: false, reason: 'disabled' };
        if (!(await identities.link(existing.id, identity))) return { ok: false, reason: 'conflict' };
        return { ok: true, account: existing, how: 'linked_by_email' };
      }
      // Never create an account from an address the provider has not verified: whoever later proves
      // they own that address (sign-up, reset) would find someone else's provider linked to it.
      if (!identity.emailVerified) return { ok: false, reason: 'unverified_email' };
      const created = await accounts.create(email.data, unusablePasswordHash());
      if (!created) return { ok: false, reason: 'conflict' };
      await accounts.markEmailVerified(created.id);
      created.emailVerified = true;
      if (!(await identities.link(created.id, identity))) return { ok: false, reason: 'conflict' };
      return { ok: true, account: created, how: 'created' };
    },
  };
}
