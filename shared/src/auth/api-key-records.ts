import type { Redis } from '../redis/create-redis.ts';
import { type ReplicaWait, replicatedWrite } from '../redis/replicated-write.ts';

/** What a resource server needs to know about an API key, published by the auth server. */
export interface ApiKeyRecord {
  /** The key's id: its revocation is `rv:jti:<id>` (see `revocation-store.ts`). */
  id: string;
  /** The principal it acts as: an account id, or a client id for a client's key. */
  sub: string;
  /** The client whose key it is; absent for a person's own key. */
  clientId?: string;
  scope: string;
  /** Created at, and expires at (seconds since the epoch). */
  iat: number;
  exp: number;
}

export interface ApiKeyRecords {
  /** Makes the key usable everywhere until its `exp` (replicated when replicas are asked for). */
  publish(hash: string, record: ApiKeyRecord): Promise<void>;
  /** Makes it unknown: revocation itself goes through the revocation list, which caches honour. */
  withdraw(hash: string, id: string): Promise<void>;
  /** The record of the key with this hash, or undefined. Throws when Redis cannot answer. */
  find(hash: string): Promise<ApiKeyRecord | undefined>;
  /** Remembers that key `id` was used at `atMs` (the latest wins). */
  markUsed(id: string, atMs: number): Promise<void>;
  /** When each of these keys was last used (ms), as far as any resource server told. */
  lastUsed(ids: readonly string[]): Promise<Map<string, number>>;
}

/**
 * The API-key protocol between the auth server (writer; Postgres holds the record of truth and
 * publishes it again whenever Redis comes back) and every resource server (reader):
 *
 *   ak:<sha256 of the key>   the record as JSON, expiring with the key
 *   ak:used                  a hash: key id -> ms of its last use (written at most once a minute
 *                            per key and instance)
 */
export function createApiKeyRecords(redis: Redis, wait: ReplicaWait = { replicas: 0 }): ApiKeyRecords {
  const recordKey = (hash: string) => `ak:${hash}`;
  const USED = 'ak:used';
  return {
    async publish(hash, record) {
      await replicatedWrite(redis, wait, (p) =>
        p.set(recordKey(hash), JSON.stringify(record), 'PXAT', record.exp * 1000),
      );
    },
    async withdraw(hash, id) {
      await replicatedWrite(redis, wait, (p) => {
        p.del(recordKey(hash));
        p.hdel(USED, id);
      });
    },
    async find(hash) {
      const raw = await redis.get(recordKey(hash));
      return raw === null ? undefined : parseRecord(raw);
    },
    async markUsed(id, atMs) {
      await redis.eval(
        `local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
         if tonumber(ARGV[2]) > cur then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
         return 1`,
        1,
        USED,
        id,
        String(atMs),
      );
    },
    async lastUsed(ids) {
      const used = new Map<string, number>();
      if (ids.length === 0) return used;
      const values = await redis.hmget(USED, ...ids);
      ids.forEach((id, i) => {
        const value = Number(values[i]);
        if (values[i] !== null && Number.isFinite(value)) used.set(id, value);
      });
      return used;
    },
  };
}

/** A record as published, or undefined when it is not one (never trusted blindly). */
function parseRecord(raw: string): ApiKeyRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const r = value as Record<string, unknown>;
  const text = (v: unknown) => typeof v === 'string' && v.length > 0;
  if (!text(r.id) || !text(r.sub) || typeof r.scope !== 'string') return undefined;
  if (!Number.isInteger(r.iat) || !Number.isInteger(r.exp)) return undefined;
  if (r.clientId !== undefined && !text(r.clientId)) return undefined;
  return {
    id: r.id as string,
    sub: r.sub as string,
    ...(r.clientId ? { clientId: r.clientId as string } : {}),
    scope: r.scope,
    iat: r.iat as number,
    exp: r.exp as number,
  };
}
