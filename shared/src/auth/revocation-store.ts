import { ServiceUnavailableError } from '../errors/errors.ts';
import type { Redis } from '../redis/create-redis.ts';
import { defineRedisScript } from '../redis/redis-script.ts';
import { replicatedWrite } from '../redis/replicated-write.ts';
import type { AccessTokenClaims } from './access-token-claims.ts';

export type RevocationScope = 'grant' | 'sub' | 'client';

export interface RevocationStore {
  /** Denies one access token (by `jti`) until it would have expired anyway. */
  revokeToken(jti: string, expiresAtSec: number): Promise<void>;
  /**
   * Denies every access token of a grant, subject or client issued before `atMs`. The mark lives
   * `ttlSec` (the longest access-token lifetime): after that no token it could affect is alive.
   */
  revokeIssuedBefore(scope: RevocationScope, id: string, atMs: number, ttlSec: number): Promise<void>;
  /**
   * Denies every access token signed by the key `kid` (an emergency key revocation), until
   * `untilMs`: choose it past the moment every resource server has dropped the key from its JWKS.
   */
  revokeKey(kid: string, untilMs: number): Promise<void>;
  /** One round trip: whether any denylist entry or mark covers the token. Throws 503 when Redis cannot answer. */
  isRevoked(token: AccessTokenClaims): Promise<boolean>;
  /**
   * The keys and argument with which `REVOKED_LUA` decides about `token`, for a script that asks
   * more in the same round trip (`createRequestChecks`).
   */
  lookup(token: AccessTokenClaims): RevocationLookup;
}

/** `revoked(keys, first, denied, marks, issuedAtMs)` over keys[first ..]: see `REVOKED_LUA`. */
export interface RevocationLookup {
  /** The denylist keys, then the not-before marks. */
  keys: string[];
  /** How many of `keys` are denylist entries (present = revoked). */
  denied: number;
  /** The token's issue time in ms: a mark at or after it revokes the token. */
  issuedAtMs: number;
}

/**
 * The rule, in Lua so that a script can decide before it counts anything (a revoked token never
 * spends its principal's rate limit): any denylist entry present, or any mark at or after the
 * token's issue time, revokes it. One MGET over the lookup's keys.
 */
export const REVOKED_LUA = `
local function revoked(keys, first, denied, marks, issuedAtMs)
  local values = redis.call('MGET', unpack(keys, first, first + denied + marks - 1))
  for i = 1, denied do
    if values[i] then return true end
  end
  for i = denied + 1, denied + marks do
    local mark = tonumber(values[i])
    if mark and issuedAtMs <= mark then return true end
  end
  return false
end
`;

/**
 * The revocation protocol between the auth server (writer) and every resource server (reader):
 * the only module that knows its Redis key layout.
 *
 *   rv:jti:<jti>          "1", expires with the token
 *   rv:grant:<grantId>    ms timestamp: tokens of the grant issued before it are revoked
 *   rv:sub:<sub>          same, per subject (user, or client for client-credentials tokens)
 *   rv:client:<clientId>  same, per client
 *   rv:kid:<kid>          "1": every token signed by that key is revoked (read when the token has a kid)
 */
export function createRevocationStore(
  redis: Redis,
  options: {
    skewSec?: number;
    /**
     * Replicas that must hold a revocation before it counts as written (Redis `WAIT`), so that a
     * failover to a replica cannot lose an acknowledged revocation; 0 (the default) waits for none.
     */
    replicas?: number;
    /** How long to wait for them; fewer in time is a failed write. */
    replicaWaitMs?: number;
  } = {},
): RevocationStore {
  const skewMs = (options.skewSec ?? 60) * 1000;
  const replicas = options.replicas ?? 0;
  const replicaWaitMs = options.replicaWaitMs ?? 1000;
  const key = (scope: RevocationScope | 'jti' | 'kid', id: string) => `rv:${scope}:${id}`;
  const unavailable = () =>
    new ServiceUnavailableError('the revocation list cannot be checked; try again shortly', 'redis');
  const check = defineRedisScript(
    redis,
    'vectorauthRevoked',
    `${REVOKED_LUA}\nreturn revoked(KEYS, 1, tonumber(ARGV[1]), #KEYS - tonumber(ARGV[1]), tonumber(ARGV[2])) and 1 or 0`,
  );

  const lookup = (token: AccessTokenClaims): RevocationLookup => {
    // An API key outlives sessions and grants: revoked by its own entry only (the auth server
    // writes one for each key when its account or client goes).
    if (token.apiKeyId)
      return { keys: [key('jti', token.apiKeyId)], denied: 1, issuedAtMs: token.iat * 1000 };
    // Denylist entries first (present = revoked), then the not-before marks.
    const denied = [key('jti', token.jti)];
    if (token.kid) denied.push(key('kid', token.kid));
    const marks = [key('sub', token.sub), key('client', token.clientId)];
    if (token.grantId) marks.push(key('grant', token.grantId));
    // iat has whole seconds: without iat_ms, assume the latest moment of that second (never too early).
    const latest = token.iat * 1000 + 999;
    const issuedAtMs = Math.min(token.issuedAtMs ?? latest, latest);
    return { keys: [...denied, ...marks], denied: denied.length, issuedAtMs };
  };

  const write = async (add: Parameters<typeof replicatedWrite>[2]): Promise<void> => {
    await replicatedWrite(redis, { replicas, timeoutMs: replicaWaitMs }, add);
  };

  return {
    revokeToken: (jti, expiresAtSec) =>
      write((p) =>
        p.set(key('jti', jti), '1', 'PXAT', Math.max(expiresAtSec * 1000 + skewMs, Date.now() + 1000)),
      ),

    revokeIssuedBefore: (scope, id, atMs, ttlSec) =>
      // Marks only move forward: keep the later of the stored and the new one.
      write((p) =>
        p.eval(
          `local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
           local new = tonumber(ARGV[1])
           if new > cur then cur = new end
           redis.call('SET', KEYS[1], tostring(cur), 'PX', ARGV[2])
           return cur`,
          1,
          key(scope, id),
          String(atMs),
          String(ttlSec * 1000 + skewMs),
        ),
      ),

    revokeKey: (kid, untilMs) =>
      write((p) => p.set(key('kid', kid), '1', 'PXAT', Math.max(untilMs, Date.now() + 1000))),

    lookup,

    async isRevoked(token) {
      const { keys, denied, issuedAtMs } = lookup(token);
      let answer: unknown;
      try {
        answer = await check(keys, [denied, issuedAtMs]);
      } catch {
        throw unavailable();
      }
      return answer === 1;
    },
  };
}
