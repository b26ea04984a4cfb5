import type { Adapter, AdapterPayload } from 'oidc-provider';

/**
 * Storage for a stand-in oidc-provider, in memory and its own (oidc-provider's built-in memory
 * adapter is one store per process, shared by every Provider, and announces itself with a
 * console WARNING). Entries expire with their `expiresIn`.
 */
export function createMemoryAdapter(): (model: string) => Adapter {
  const entries = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const index = new Map<string, string>(); // `uid:<uid>` / `userCode:<code>` -> entry key
  const grants = new Map<string, Set<string>>(); // grant id -> entry keys
  const read = (key: string | undefined) => {
    const entry = key === undefined ? undefined : entries.get(key);
    if (!entry || entry.expiresAt < Date.now()) return undefined;
    return entry.payload;
  };
  return (model) => {
    const key = (id: string) => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        const k = key(id);
        entries.set(k, {
          payload,
          expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY,
        });
        if (payload.uid) index.set(`uid:${payload.uid}`, k);
        if (payload.userCode) index.set(`userCode:${payload.userCode}`, k);
        if (payload.grantId) grants.set(payload.grantId, (grants.get(payload.grantId) ?? new Set()).add(k));
      },
      find: async (id) => read(key(id)),
      findByUid: async (uid) => read(index.get(`uid:${uid}`)),
      findByUserCode: async (userCode) => read(index.get(`userCode:${userCode}`)),
      async consume(id) {
        const payload = read(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        entries.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        for (const k of grants.get(grantId) ?? []) entries.delete(k);
        grants.delete(grantId);
      },
    };
  };
}
