import type { EntityManager } from '@mikro-orm/postgresql';
import { QuotaExceededError } from '@vectorauth/shared';

/** What a principal stores: collections, live vectors, and the bytes of their stored payloads. */
export interface Usage {
  collections: number;
  vectors: number;
  bytes: number;
}

/** The most of each a principal may store (the calling client's quota, or the global one). */
export type Quota = Usage;

const NAMES: Record<keyof Usage, string> = {
  collections: 'collections',
  vectors: 'vectors',
  bytes: 'stored bytes',
};

/**
 * Adds `delta` to the principal's usage inside the write's transaction `tem` and returns the new
 * usage. The upsert of the usage row locks it, so concurrent writes of one principal count one
 * after the other. A growth past `quota` throws `QuotaExceededError` (403, naming the limit and the
 * usage), which rolls the whole write back: never a partial write. Shrinking is never refused.
 */
export async function addUsage(
  tem: EntityManager,
  principal: string,
  delta: Partial<Usage>,
  quota?: Quota,
): Promise<Usage> {
  const d = { collections: 0, vectors: 0, bytes: 0, ...delta };
  const rows = await tem.execute<{ collections: string; vectors: string; bytes: string }[]>(
    `insert into principal_usage (principal, collections, vectors, bytes) values (?, ?, ?, ?)
     on conflict (principal) do update set
       collections = principal_usage.collections + excluded.collections,
       vectors = principal_usage.vectors + excluded.vectors,
       bytes = principal_usage.bytes + excluded.bytes
     returning collections, vectors, bytes`,
    [principal, d.collections, d.vectors, d.bytes],
  );
  const row = rows[0];
  const usage = {
    collections: Number(row?.collections ?? 0),
    vectors: Number(row?.vectors ?? 0),
    bytes: Number(row?.bytes ?? 0),
  };
  if (quota) {
    for (const key of Object.keys(NAMES) as (keyof Usage)[]) {
      if (d[key] > 0 && usage[key] > quota[key]) {
        throw new QuotaExceededError(
          `this write would take your ${NAMES[key]} to ${usage[key]}, over the quota of ${quota[key]} (in use: ${usage[key] - d[key]}); nothing was written`,
        );
      }
    }
  }
  return usage;
}

/** The principal's usage as committed (zeros when it has stored nothing yet). */
export async function readUsage(em: EntityManager, principal: string): Promise<Usage> {
  const rows = await em.execute<{ collections: string; vectors: string; bytes: string }[]>(
    'select collections, vectors, bytes from principal_usage where principal = ?',
    [principal],
  );
  const row = rows[0];
  return {
    collections: Number(row?.collections ?? 0),
    vectors: Number(row?.vectors ?? 0),
    bytes: Number(row?.bytes ?? 0),
  };
}
