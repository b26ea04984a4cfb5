import { expect } from 'chai';
import {
  afterFailure,
  type FailureRecord,
  PER_ACCOUNT,
  PER_SOURCE,
  type ThrottleRule,
  waitSec,
} from '../../../src/abuse/sign-in-throttle.ts';

const HOUR_MS = 3600_000;

/** The most attempt times (ms) that fall in any one hour. */
function busiestHour(times: number[]): number {
  let best = 0;
  for (let first = 0, last = 0; last < times.length; last++) {
    while (times[last]! - times[first]! >= HOUR_MS) first++;
    best = Math.max(best, last - first + 1);
  }
  return best;
}

/**
 * An attacker guessing one account's password from a fresh address every time (so only the
 * account-wide rule holds them), on a fake clock: each guess as soon as it is let through, all
 * wrong. After `burst` refused-then-allowed guesses past the free ones, they may also pause until
 * the account's failures are forgotten and start again (to collect the free guesses anew).
 */
function attack(rule: ThrottleRule, hours: number, burst: number | undefined): number[] {
  const times: number[] = [];
  let record: FailureRecord | undefined;
  let now = 0;
  let sinceReset = 0;
  while (now < hours * HOUR_MS) {
    const wait = waitSec(record, rule, now);
    if (wait > 0) {
      if (burst !== undefined && sinceReset >= rule.free + burst) {
        now = record!.at + rule.windowSec * 1000; // pause until forgotten
        sinceReset = 0;
      } else now += wait * 1000;
      continue;
    }
    times.push(now);
    record = afterFailure(record, rule, now);
    sinceReset++;
    now += 1; // the next guess a millisecond later
  }
  return times;
}

describe('sign-in throttle schedule (fake clock)', () => {
  it('lets fewer than 100 guesses an hour at one account through, from rotating addresses, whatever the pacing', () => {
    const strategies = [undefined, ...Array.from({ length: 80 }, (_, i) => i)];
    for (const burst of strategies) {
      const worst = busiestHour(attack(PER_ACCOUNT, 6, burst));
      expect(worst, `pausing after ${burst ?? 'never'}`).to.be.below(100);
    }
    expect(busiestHour(attack(PER_ACCOUNT, 6, undefined))).to.be.at.most(PER_ACCOUNT.free + 60);
  });

  it('would have failed with the former schedule (20 free, capped at 30 s, forgotten after 15 min)', () => {
    const former: ThrottleRule = { free: 20, firstDelaySec: 1, capSec: 30, windowSec: 15 * 60 };
    expect(busiestHour(attack(former, 6, undefined))).to.be.above(100);
  });

  it('never makes anyone wait longer than the cap (no lockout), and forgets after the window', () => {
    for (const rule of [PER_SOURCE, PER_ACCOUNT]) {
      for (const n of [0, rule.free - 1, rule.free, rule.free + 5, 10_000]) {
        const wait = waitSec({ n, at: 1_000_000 }, rule, 1_000_000);
        expect(wait).to.be.at.most(rule.capSec);
        expect(wait === 0).to.equal(n < rule.free);
        expect(waitSec({ n, at: 0 }, rule, rule.windowSec * 1000)).to.equal(0);
      }
      expect(afterFailure({ n: 50, at: 0 }, rule, rule.windowSec * 1000)).to.deep.equal({
        n: 1,
        at: rule.windowSec * 1000,
      });
    }
    expect(PER_ACCOUNT.capSec).to.be.at.least(36);
  });

  it('counts down the wait from the last failure', () => {
    const record = { n: PER_ACCOUNT.free, at: 0 };
    expect(waitSec(record, PER_ACCOUNT, 0)).to.equal(60);
    expect(waitSec(record, PER_ACCOUNT, 59_500)).to.equal(1);
    expect(waitSec(record, PER_ACCOUNT, 60_000)).to.equal(0);
  });
});
