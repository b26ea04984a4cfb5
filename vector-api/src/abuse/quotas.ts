import type { Quota } from '../store/principal-usage.ts';

/** Quotas per principal: the global one, and per calling client the parts it overrides. */
export interface VectorQuotas {
  global: Quota;
  byClient: ReadonlyMap<string, Partial<Quota>>;
}

const KEYS = { collections: 'collections', vectors: 'vectors', mb: 'bytes' } as const;

/** `VECTOR_QUOTA_CLIENTS`: `"client=collections:10/vectors:50000/mb:512,other=vectors:1000"`. */
export const QUOTA_OVERRIDES =
  /^\s*[^=,\s]+\s*=\s*(?:collections|vectors|mb):[1-9]\d*(?:\/(?:collections|vectors|mb):[1-9]\d*)*\s*(?:,\s*[^=,\s]+\s*=\s*(?:collections|vectors|mb):[1-9]\d*(?:\/(?:collections|vectors|mb):[1-9]\d*)*\s*)*$/;

export function parseQuotaOverrides(text: string | undefined): Map<string, Partial<Quota>> {
  const byClient = new Map<string, Partial<Quota>>();
  for (const entry of (text ?? '').split(',')) {
    if (!entry.trim()) continue;
    const [client, spec] = entry.split('=').map((s) => s.trim()) as [string, string];
    const quota: Partial<Quota> = {};
    for (const part of spec.split('/')) {
      const [key, value] = part.split(':') as [keyof typeof KEYS, string];
      quota[KEYS[key]] = key === 'mb' ? Number(value) * 1024 * 1024 : Number(value);
    }
    byClient.set(client, quota);
  }
  return byClient;
}

/** The quota that applies to a request made through `clientId`. */
export function quotaFor(quotas: VectorQuotas, clientId: string): Quota {
  return { ...quotas.global, ...quotas.byClient.get(clientId) };
}
