import type { AdapterPayload, Provider } from 'oidc-provider';

type Client = NonNullable<Awaited<ReturnType<Provider['Client']['find']>>>;

/**
 * oidc-provider builds a registered client's `Client` once per content, but finds it again on
 * every request by serialising and hashing the whole payload (`JSON.stringify` and SHA-256 in
 * `Client.find`): the largest cost it adds per token over a client written in its configuration.
 * The client cache hands out one frozen payload object per client until that client changes,
 * expires or is evicted, so the `Client` built from that object is kept beside it (weakly) and
 * found again by identity, as a configured client is. A changed client is a new object: its next
 * request goes through oidc-provider's own `find` and builds it anew.
 */
export function reuseClientInstances(
  provider: Provider,
  held: (clientId: string) => AdapterPayload | undefined,
): void {
  const Client = provider.Client;
  const find = Client.find.bind(Client);
  const built = new WeakMap<AdapterPayload, Client>();
  Client.find = async function findReused(id: string): Promise<Client | undefined> {
    const before = typeof id === 'string' ? held(id) : undefined;
    const known = before && built.get(before);
    if (known) return known;
    const client = await find(id);
    // Kept only when the same payload was held all along, so it is the one `find` built from.
    if (before && client && held(id) === before) built.set(before, client);
    return client;
  };
}
