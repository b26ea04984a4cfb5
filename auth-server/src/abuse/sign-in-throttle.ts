import { createHash } from 'node:crypto';
import { type Redis, ServiceUnavailableError } from '@vectorauth/shared';

export interface SignInThrottle {
  /**
   * Seconds this attempt must still wait, or 0: go ahead, and the attempt is counted as a failure
   * at once (in the same atomic step as the check, so a burst of parallel guesses cannot all pass
   * the check before any of them is counted). `succeeded` or `undecided` take the count back.
   */
  admit(email: string, ip: string): Promise<number>;
  /** The admitted attempt signed in: its count taken back, the address cleared and made known. */
  succeeded(email: string, ip: string): Promise<void>;
  /** The admitted attempt ended without deciding anything about the password: its count taken back. */
  undecided(email: string, ip: string): Promise<void>;
  /**
   * A password reset was completed from `ip` (it proves the mailbox): the address is made known
   * and its own count cleared, so the owner is never held by guesses made elsewhere; nothing is
   * taken back from the account-wide count (no attempt of this address was admitted).
   */
  trustAddress(email: string, ip: string): Promise<void>;
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
 * Counts an attempt as a failure only if no failure was counted since the check read the record
 * (its live count has not grown; one taken back meanwhile is fine): check and count are one
 * atomic step per key, even across instances, and the owner's own parallel attempts (whose counts
 * are taken back as they succeed) do not make each other retry.
 *   KEYS[1] the record; ARGV: live count read, now (ms), window (s)
 */
const CHARGE_IF_NOT_GROWN = `
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local n = tonumber(redis.call('hget', KEYS[1], 'n') or '0')
local at = tonumber(redis.call('hget', KEYS[1], 'at') or '0')
if now - at >= window * 1000 then n = 0 end
if n > tonumber(ARGV[1]) then return 0 end
redis.call('hset', KEYS[1], 'n', n + 1, 'at', now)
redis.call('expire', KEYS[1], window)
return 1`;
/** Takes one count back from a record, never below zero (it may have expired meanwhile). */
const REFUND = `
local n = tonumber(redis.call('hget', KEYS[1], 'n') or '0')
if n > 0 then redis.call('hset', KEYS[1], 'n', n - 1) end
return 1`;
/** Checks before giving up on a contended account and asking the attempt to wait a second. */
const MAX_ADMIT_TRIES = 10;

/**
 * Progressive slowdown of failed sign-ins, shared by all instances through Redis: per account and
 * source address, and per account from anywhere (see the rules above). Never a lockout: every
 * wait is bounded; a success clears its address's counter and makes the address known, so the
 * owner signing in from where they usually do is never slowed by someone guessing elsewhere; a
 * password reset always works. An admitted attempt is counted before the password is checked
 * (see `admit`), so parallel guesses are held like sequential ones.
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

  /** Counts a failure on `key` unless one was counted since `row` was read; whether it did. */
  async function charge(key: string, row: Record<string, string>, rule: ThrottleRule, now: number) {
    const liveCount = afterFailure(recordOf(row), rule, now).n - 1;
    const done = await redis.eval(
      CHARGE_IF_NOT_GROWN,
      1,
      key,
      String(liveCount),
      String(now),
      String(rule.windowSec),
    );
    return done === 1;
  }
  const refund = (key: string) => redis.eval(REFUND, 1, key);

  /** Clears the address's own count and makes it known (one key per transaction: cluster slots). */
  const remember = (k: ReturnType<typeof keys>, ip: string) =>
    Promise.all([
      redis.del(k.source),
      redis
        .multi()
        .zadd(k.known, Date.now(), ip)
        .zremrangebyrank(k.known, 0, -(KNOWN.max + 1))
        .expire(k.known, KNOWN.ttlSec)
        .exec(),
    ]);
  return {
    async admit(email, ip) {
      const k = keys(email, ip);
      try {
        for (let tries = 0; tries < MAX_ADMIT_TRIES; tries++) {
          const [source, account, known] = await Promise.all([
            redis.hgetall(k.source),
            redis.hgetall(k.account),
            redis.zscore(k.known, ip),
          ]);
          const now = Date.now();
          const perSource = waitSec(recordOf(source), PER_SOURCE, now);
          const perAccount = known === null ? waitSec(recordOf(account), PER_ACCOUNT, now) : 0;
          const wait = Math.max(perSource, perAccount);
          if (wait > 0) return wait;
          // One key per script (keys of one account may live on different cluster slots): the
          // account first, the address second; a lost race takes back what was counted and looks again.
          if (!(await charge(k.account, account, PER_ACCOUNT, now))) continue;
          if (await charge(k.source, source, PER_SOURCE, now)) return 0;
          await refund(k.account);
        }
      } catch {
        throw unavailable();
      }
      return 1;
    },
    async succeeded(email, ip) {
      const k = keys(email, ip);
      await Promise.all([refund(k.account), remember(k, ip)]).catch(() => undefined);
    },
    async trustAddress(email, ip) {
      await remember(keys(email, ip), ip).catch(() => undefined);
    },
    async undecided(email, ip) {
      const k = keys(email, ip);
      await Promise.all([refund(k.account), refund(k.source)]).catch(() => undefined);
    },
  };
}
