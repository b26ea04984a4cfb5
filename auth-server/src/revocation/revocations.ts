import type { MikroORM } from '@mikro-orm/postgresql';
import {
  accessTokenClaimsFrom,
  createRevocationStore,
  type Logger,
  type Redis,
  type RevocationScope,
  redisGoingAway,
  ServiceUnavailableError,
} from '@vectorauth/shared';
import type { JWTPayload } from 'jose';
import type { RevocationSource } from './revocation-source.ts';

/** Revocations replayed into Redis per batch of commands sent together. */
const REPLAY_CHUNK = 500;

/** Every revocation names its `source`, the cause (counted in `oauth_revocations_total`). */
export interface Revocations {
  /** One access token, by `jti`, until its `exp`. */
  revokeToken(jti: string, expiresAtSec: number, source: RevocationSource): Promise<void>;
  /** Every access token of a grant / subject / client issued up to now. */
  revokeGrant(grantId: string, source: RevocationSource): Promise<void>;
  revokeSubject(sub: string, source: RevocationSource): Promise<void>;
  revokeClient(clientId: string, source: RevocationSource): Promise<void>;
  /** Whether one of the server's own access tokens is revoked (throws when Redis cannot answer). */
  isRevoked(payload: JWTPayload, kid?: string): Promise<boolean>;
  /** Writes every unexpired revocation from Postgres into Redis again (after Redis lost data). */
  replay(): Promise<number>;
}

/**
 * The auth server's side of the revocation protocol: each revocation is committed to Postgres
 * (the durable record) and then written to Redis, which every resource server reads. A
 * revocation is only acknowledged once Redis has it; when Redis is away it fails with 503.
 * Whenever the Redis connection becomes ready again, the record is replayed into it.
 */
export function createRevocations(deps: {
  orm: MikroORM;
  redis: Redis;
  maxTokenTtlSec: number;
  /** Replicas each revocation must reach before it is acknowledged (REDIS_WAIT_REPLICAS). */
  replicas?: number;
  logger: Logger;
}): Revocations {
  const { orm, redis, maxTokenTtlSec, logger } = deps;
  const store = createRevocationStore(redis, { replicas: deps.replicas ?? 0 });
  // A replay answers no caller: it puts back on the master what Redis lost (a restart, a failover)
  // and runs again on the next 'ready', so it does not wait for replicas (a master promoted from
  // the only replica has none until the old master returns).
  const replayStore = createRevocationStore(redis);
  const db = () => orm.em.getConnection();

  async function record(
    scope: 'jti' | RevocationScope,
    id: string,
    atMs: number,
    expiresAtMs: number,
  ): Promise<void> {
    await db().execute(
      `insert into revocation (scope, id, at_ms, expires_at) values (?, ?, ?, to_timestamp(? / 1000.0))
       on conflict (scope, id) do update set at_ms = greatest(revocation.at_ms, excluded.at_ms),
         expires_at = greatest(revocation.expires_at, excluded.expires_at)`,
      [scope, id, atMs, expiresAtMs],
    );
  }

  async function toRedis(write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch {
      throw new ServiceUnavailableError(
        'the revocation could not be published; it is recorded and will be retried',
        'redis',
      );
    }
  }

  async function issuedBefore(scope: RevocationScope, id: string): Promise<void> {
    const at = Date.now();
    await record(scope, id, at, at + maxTokenTtlSec * 1000);
    await toRedis(() => store.revokeIssuedBefore(scope, id, at, maxTokenTtlSec));
  }

  const revocations: Revocations = {
    async revokeToken(jti, expiresAtSec) {
      await record('jti', jti, Date.now(), expiresAtSec * 1000);
      await toRedis(() => store.revokeToken(jti, expiresAtSec));
    },
    revokeGrant: (id) => issuedBefore('grant', id),
    revokeSubject: (id) => issuedBefore('sub', id),
    revokeClient: (id) => issuedBefore('client', id),
    isRevoked: (payload, kid) => store.isRevoked(accessTokenClaimsFrom(payload, 'auth-server', kid)),
    async replay() {
      const rows = await db().execute<{ scope: string; id: string; at_ms: string; expires_ms: string }[]>(
        `select scope, id, at_ms, floor(extract(epoch from expires_at) * 1000)::bigint as expires_ms
         from revocation where expires_at > now()`,
      );
      // In chunks sent together (one write, replies in order): a Redis that lost its data is
      // whole again in a few round trips, not one per revocation.
      for (let from = 0; from < rows.length; from += REPLAY_CHUNK) {
        await Promise.all(
          rows.slice(from, from + REPLAY_CHUNK).map((row) => {
            const expiresMs = Number(row.expires_ms);
            if (row.scope === 'jti') return replayStore.revokeToken(row.id, Math.ceil(expiresMs / 1000));
            const ttl = Math.max(1, Math.ceil((expiresMs - Date.now()) / 1000));
            return replayStore.revokeIssuedBefore(
              row.scope as RevocationScope,
              row.id,
              Number(row.at_ms),
              ttl,
            );
          }),
        );
      }
      return rows.length;
    },
  };

  // Whenever the connection becomes ready (again): a Redis that lost its data is rebuilt. A replay
  // cut short because the connection is no longer ready is no failure: Redis going away runs it
  // again on the next 'ready', and our own close (quitting, closed, ended) needs none.
  redis.on('ready', () => {
    revocations
      .replay()
      .then((n) => logger.info({ replayed: n }, 'revocations replayed into redis'))
      .catch((err: unknown) => {
        if (redisGoingAway(redis))
          logger.info(
            { status: redis.status },
            'revocation replay stopped: the redis connection is not ready',
          );
        else logger.warn({ err }, 'replaying revocations into redis failed');
      });
  });
  return revocations;
}

/** Deletes revocation records that can no longer affect any token. */
export async function sweepExpiredRevocations(orm: MikroORM): Promise<void> {
  await orm.em.getConnection().execute('delete from revocation where expires_at < now()');
}
