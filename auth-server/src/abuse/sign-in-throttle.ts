import { createHash } from 'node:crypto';
import { type Redis, ServiceUnavailableError } from '@vectorauth/shared';

export interface SignInThrottle {
  /** Seconds this attempt must still wait (0: go ahead). */
  waitFor(email: string, ip: string): Promise<number>;
  failed(email: string, ip: string): Promise<void>;
  succeeded(email: string, ip: string): Promise<void>;
}

const WINDOW_SEC = 15 * 60;
/** Free failures, then the wait doubles with each failure up to the cap. */
const PER_SOURCE = { free: 5, capSec: 60 };
/** Failures on one account from anywhere: a higher threshold and a lower cap, so nobody can lock the owner out. */
const PER_ACCOUNT = { free: 20, capSec: 30 };

const backoff = (failures: number, rule: { free: number; capSec: number }) =>
  failures < rule.free ? 0 : Math.min(2 ** (failures - rule.free), rule.capSec);

/**
 * Progressive slowdown of failed sign-ins, shared by all instances through Redis: per account and
 * source address (5 free, then 1, 2, 4 ... 60 s between attempts) and per account from anywhere
 * (20 free, capped at 30 s). Never a lockout: the longest wait is bounded and a success resets
 * the counter of that source.
 */
export function createSignInThrottle(redis: Redis): SignInThrottle {
  const id = (email: string) => createHash('sha256').update(email).digest('base64url').slice(0, 22);
  const keys = (email: string, ip: string) => ({
    source: `signin:${id(email)}:${ip}`,
    account: `signin:${id(email)}`,
  });
  const unavailable = () =>
    new ServiceUnavailableError('sign-in cannot be checked right now; try again shortly', 'redis');

  async function bump(key: string): Promise<void> {
    await redis.multi().hincrby(key, 'n', 1).hset(key, 'at', Date.now()).expire(key, WINDOW_SEC).exec();
  }

  return {
    async waitFor(email, ip) {
      const { source, account } = keys(email, ip);
      let rows: [Record<string, string>, Record<string, string>];
      try {
        rows = (await Promise.all([redis.hgetall(source), redis.hgetall(account)])) as [
          Record<string, string>,
          Record<string, string>,
        ];
      } catch {
        throw unavailable();
      }
      const waits = [
        [rows[0], PER_SOURCE],
        [rows[1], PER_ACCOUNT],
      ] as const;
      let wait = 0;
      for (const [row, rule] of waits) {
        const delaySec = backoff(Number(row.n ?? 0), rule);
        const since = (Date.now() - Number(row.at ?? 0)) / 1000;
        wait = Math.max(wait, Math.ceil(delaySec - since));
      }
      return Math.max(0, wait);
    },
    async failed(email, ip) {
      const { source, account } = keys(email, ip);
      await Promise.all([bump(source), bump(account)]).catch(() => undefined);
    },
    async succeeded(email, ip) {
      await redis.del(keys(email, ip).source).catch(() => undefined);
    },
  };
}
