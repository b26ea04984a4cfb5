import type { FederatedIdentityRepository } from '../federation/federated-identity-repository.ts';
import type { UpstreamProvider } from '../federation/upstream-provider.ts';

/** What the account page shows about providers: the linked ones, and the configured ones to link. */
export function federationPageData(deps: {
  identities: FederatedIdentityRepository;
  upstreams: readonly UpstreamProvider[];
}) {
  return async (accountId: string) => {
    const linked = await deps.identities.listForAccount(accountId);
    const labels = new Map(deps.upstreams.map((u) => [u.id as string, u.label]));
    return {
      federated: {
        linked: linked.map((l) => ({
          provider: l.provider,
          label: labels.get(l.provider) ?? l.provider,
          email: l.email,
          lastUsedAt: l.lastUsedAt,
        })),
        linkable: deps.upstreams
          .filter((u) => !linked.some((l) => l.provider === u.id))
          .map((u) => ({ provider: u.id, label: u.label })),
      },
    };
  };
}
