import type { Context } from 'koa';
import { ServiceUnavailableError } from '../errors/errors.ts';
import type { RateDecision, RateLimiter } from '../http/rate-limiter.ts';
import { SLIDING_WINDOW_LUA, windowCountFrom } from '../http/sliding-window-counter.ts';
import { defineBatchedRedisScript } from '../redis/batched-redis-script.ts';
import type { Redis } from '../redis/create-redis.ts';
import type { AccessTokenClaims } from './access-token-claims.ts';
import { REVOKED_LUA, type RevocationStore } from './revocation-store.ts';

export interface RequestCheckInput {
  /** Counted only when the token is not revoked. */
  limit?: { bucket: string; max: number };
  /** Further keys read in the same round trip (GET), answered in `reads` in this order. */
  reads?: readonly string[];
  /**
   * A key that must not exist yet (a DPoP proof's `jti`): set for `ttlMs` when the token is not
   * revoked; when it was already there the request is `replayed` and not counted.
   */
  once?: { key: string; ttlMs: number };
}

export interface RequestCheckResult {
  revoked: boolean;
  /** `once` was given and its key already existed. */
  replayed: boolean;
  /** When a limit was asked for and the token is not revoked; its headers are set. */
  limit?: RateDecision;
  /** The values of `reads` (null when absent), whether or not the token is revoked. */
  reads: (string | null)[];
}

export interface RequestChecks {
  /**
   * One Redis command for what a resource request asks Redis: whether the token is revoked, then
   * (when it is not) the rate limit's count, and any further reads. Throws 503 when Redis cannot
   * answer: revocation and limits fail closed.
   */
  run(ctx: Context, token: AccessTokenClaims, input?: RequestCheckInput): Promise<RequestCheckResult>;
}

/**
 * One call over KEYS = the revocation lookup's keys, the reads, the once key (or an empty
 * string), then the limit's key (if any); ARGV = denied, marks, reads, issuedAtMs, the once key's
 * ttl (ms, 0 without one), then max and windowMs (if a limit). The revocation rule and the key
 * layouts stay with their owners (`revocation-store.ts`, `rate-limiter.ts`). Reply: {revoked 0|1,
 * replayed 0|1, read values..., then the counter's three numbers when counted}. Concurrent
 * requests' calls go to Redis together (`defineBatchedRedisScript`).
 */
const REQUEST_CHECKS_LUA = `${REVOKED_LUA}${SLIDING_WINDOW_LUA}
local function perCall(KEYS, ARGV)
  local denied, marks, reads = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
  local reply = {revoked(KEYS, 1, denied, marks, tonumber(ARGV[4])) and 1 or 0, 0}
  for i = 1, reads do reply[i + 2] = redis.call('GET', KEYS[denied + marks + i]) end
  local onceKey, onceTtl = KEYS[denied + marks + reads + 1], tonumber(ARGV[5])
  if onceTtl > 0 and reply[1] == 0 and not redis.call('SET', onceKey, '1', 'NX', 'PX', onceTtl) then
    reply[2] = 1
  end
  local limitKey = KEYS[denied + marks + reads + 2]
  if limitKey and reply[1] == 0 and reply[2] == 0 then
    local counted = slidingWindow(limitKey, tonumber(ARGV[6]), tonumber(ARGV[7]), redisNowMs())
    for i = 1, 3 do reply[reads + 2 + i] = counted[i] end
  end
  return reply
end`;

export function createRequestChecks(
  redis: Redis,
  deps: { revocations: RevocationStore; limiter: RateLimiter },
): RequestChecks {
  const script = defineBatchedRedisScript(redis, 'vectorauthRequestChecks', REQUEST_CHECKS_LUA);
  return {
    async run(ctx, token, input = {}) {
      const { limit, reads = [], once } = input;
      const lookup = deps.revocations.lookup(token);
      const keys = [...lookup.keys, ...reads, once?.key ?? ''];
      const args: (string | number)[] = [lookup.denied, lookup.keys.length - lookup.denied, reads.length];
      args.push(lookup.issuedAtMs, once?.ttlMs ?? 0);
      if (limit) {
        keys.push(deps.limiter.key(limit.bucket));
        args.push(limit.max, deps.limiter.windowMs);
      }
      let reply: unknown;
      try {
        reply = await script(keys, args);
      } catch {
        throw new ServiceUnavailableError(
          'the revocation list cannot be checked; try again shortly',
          'redis',
        );
      }
      if (!Array.isArray(reply)) throw new TypeError('unexpected request-checks reply');
      const revoked = reply[0] === 1;
      const replayed = reply[1] === 1;
      const values = reply.slice(2, 2 + reads.length).map((v) => (typeof v === 'string' ? v : null));
      const counted = reply.slice(2 + reads.length);
      const result: RequestCheckResult = { revoked, replayed, reads: values };
      if (limit && !revoked && !replayed)
        result.limit = deps.limiter.answer(ctx, limit.max, windowCountFrom(counted));
      return result;
    },
  };
}
