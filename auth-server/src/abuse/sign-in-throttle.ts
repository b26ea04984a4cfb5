import { createHash } from 'node:crypto';
import { type Redis, ServiceUnavailableError } from '@vectorauth/shared';

export interface SignInThrottle {
  /** Seconds this attempt must still wait (0: go ahead). */
  waitFor(email: string, ip: string): Promise<number>;
  failed(email: string, ip: string): Promise<void>;
  succeeded(email: string, ip: string): Promise<void>;
}

/** Free failures, then a wait of `firstDelaySec` doubling with each failure up to `capSec`. */
export interface ThrottleRule {
  free: number;
  firstDelaySec: number;
  capSec: number;
  /** The failures are forgotten this long after the last one. */
  windowSec: number;
}

/** The failures counted so far and when the last one happened (ms). */
export interface FailureRecord {
  n: number;
  at: number;
}

/** Per account and source address: 5 free, then 1, 2, 4 ... 60 s between attempts. */
export const PER_SOURCE: ThrottleRule = { free: 5, firstDelaySec: 1, capSec: 60, windowSec: 15 * 60 };
/**
 * Per account from every address the owner has not signed in from: 10 free failures, then one
 * attempt a minute, remembered for an hour. However many addresses guess, that is at most
 * 10 + 60 attempts in any hour (ASVS 2.2.1: under 100), and the owner waits at most a minute.
 */
export const PER_ACCOUNT: ThrottleRule = { free: 10, firstDelaySec: 60, capSec: 60, windowSec: 60 * 60 };
/** Addresses the owner signed in from (the newest few, for a month) skip the account-wide wait. */
const KNOWN = { max: 10, ttlSec: 30 * 24 * 3600 };

/** Seconds an attempt at `nowMs` must still wait under `rule` (0: go ahead). */
export function waitSec(record: FailureRecord | undefined, rule: ThrottleRule, nowMs: number): number {
  if (!record || nowMs - record.at >= rule.windowSec * 1000 || record.n < rule.free) return 0;
  const delay = Math.min(rule.firstDelaySec * 2 ** (record.n - rule.free), rule.capSec);
  return Math.max(0, Math.ceil(delay - (nowMs - record.at) / 1000));
}

/** The record after a failure at `nowMs` (a forgotten record starts again), as Redis keeps it. */
export function afterFailure(
  record: FailureRecord | undefined,
  rule: ThrottleRule,
  nowMs: number,
): FailureRecord {
  const live = record && nowMs - record.at < rule.windowSec * 1000 ? record.n : 0;
  return { n: live + 1, at: nowMs };
}

/**
 * Progressive slowdown of failed sign-ins, shared by all instances through Redis: per account and
 * source address, and per account from anywhere (see the rules above). Never a lockout: every
 * wait is bounded; a success clears its address's counter and makes the address known, so the
 * owner signing in from where they usually do is never slowed by someone guessing elsewhere; a
 * password reset always works.
 */
export function createSignInThrottle(redis: Redis): SignInThrottle {
  const id = (email: string) => createHash('sha256').update(email).digest('base64url').slice(0, 22);
  const keys = (email: string, ip: string) => ({
    source: `signin:${id(email)}:${ip}`,
    account: `signin:${id(email)}`,
    known: `signin:${id(email)}:known`,
  });
  const unavailable = () =>
    new ServiceUnavailableError('sign-in cannot be checked right now; try again shortly', 'redis');
  const recordOf = (row: Record<string, string>): FailureRecord | undefined =>
    row.n === undefined ? undefined : { n: Number(row.n), at: Number(row.at ?? 0) };

  async function bump(key: string, rule: ThrottleRule): Promise<void> {
    await redis.multi().hincrby(key, 'n', 1).hset(key, 'at', Date.now()).expire(key, rule.windowSec).exec();
  }

  return {
    async waitFor(email, ip) {
      const k = keys(email, ip);
      let source: Record<string, string>;
      let account: Record<string, string>;
      let known: string | null;
      try {
        [source, account, known] = await Promise.all([
          redis.hgetall(k.source),
          redis.hgetall(k.account),
          redis.zscore(k.known, ip),
        ]);
      } catch {
        throw unavailable();
      }
      const now = Date.now();
      const perSource = waitSec(recordOf(source), PER_SOURCE, now);
      const perAccount = known === null ? waitSec(recordOf(account), PER_ACCOUNT, now) : 0;
      return Math.max(perSource, perAccount);
    },
    async failed(email, ip) {
      const k = keys(email, ip);
      await Promise.all([bump(k.source, PER_SOURCE), bump(k.account, PER_ACCOUNT)]).catch(() => undefined);
    },
    async succeeded(email, ip) {
      const k = keys(email, ip);
      // One key per transaction (keys of one account may live on different cluster slots).
      await Promise.all([
        redis.del(k.source),
        redis
          .multi()
          .zadd(k.known, Date.now(), ip)
          .zremrangebyrank(k.known, 0, -(KNOWN.max + 1))
          .expire(k.known, KNOWN.ttlSec)
          .exec(),
      ]).catch(() => undefined);
    },
  };
}
