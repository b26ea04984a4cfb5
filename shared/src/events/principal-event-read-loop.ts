import type { Logger } from '../logger/logger.ts';
import type { Redis } from '../redis/create-redis.ts';
import type { InterruptiblePause } from './interruptible-pause.ts';
import type { PrincipalEntryHandler } from './principal-entry-handler.ts';
import { type PrincipalEventStream, redisReplyCode } from './principal-event-stream.ts';

export interface PrincipalEventReadLoopDeps {
  redis: Redis;
  stream: PrincipalEventStream;
  pause: InterruptiblePause;
  handleEntries: PrincipalEntryHandler;
  logger: Logger;
  /** True once the consumer is closing: the loop ends after the turn in hand. */
  stopping(): boolean;
  blockMs: number;
  claimIdleMs: number;
  retryDelayMs: number;
  forgetConsumersAfterMs: number;
}

/** ioredis's error when a command outlives `commandTimeout`. */
const TIMED_OUT = 'Command timed out';

/**
 * The consumer's reading order, one turn at a time: wait for Redis, make sure the group exists,
 * drain this consumer's own pending entries, now and then take over idle ones (and forget dead
 * consumers), otherwise block for new ones. A failed turn is logged once per distinct error (a
 * single timed-out read only at info level) and retried after `retryDelayMs`.
 */
export function createPrincipalEventReadLoop(deps: PrincipalEventReadLoopDeps) {
  const { stream, pause, handleEntries, logger, claimIdleMs, retryDelayMs, forgetConsumersAfterMs } = deps;
  let groupReady = false;
  let ownPending = true;
  let lastClaim = 0;
  let lastCleanup = 0;
  let lastError = '';
  let timeoutsInARow = 0;

  async function drainOwnPending(): Promise<void> {
    const mine = await stream.readOwnPending();
    if (mine.length === 0) ownPending = false;
    else if (!(await handleEntries(mine))) await pause.sleep(retryDelayMs);
  }

  /** True when it took over entries (there may be more: the next turn claims again). */
  async function claimIdle(): Promise<boolean> {
    lastClaim = Date.now();
    const claimed = await stream.claimIdle(claimIdleMs);
    if (claimed.length > 0) {
      if (!(await handleEntries(claimed))) ownPending = true;
      lastClaim = 0;
      return true;
    }
    if (Date.now() - lastCleanup > Math.min(forgetConsumersAfterMs, 3600_000)) {
      lastCleanup = Date.now();
      await stream.forgetDeadConsumers(forgetConsumersAfterMs);
    }
    return false;
  }

  async function readNew(): Promise<void> {
    const fresh = await stream.readNew(deps.blockMs);
    if (!(await handleEntries(fresh))) {
      ownPending = true;
      await pause.sleep(retryDelayMs);
    }
    lastError = '';
    timeoutsInARow = 0;
  }

  async function turn(): Promise<void> {
    if (deps.redis.status !== 'ready') return pause.sleep(Math.min(retryDelayMs, 200));
    if (!groupReady) {
      await stream.ensureGroup();
      groupReady = true;
    }
    if (ownPending) return drainOwnPending();
    if (Date.now() - lastClaim >= claimIdleMs / 2 && (await claimIdle())) return;
    await readNew();
  }

  async function recover(err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    if (redisReplyCode(err) === 'NOGROUP') groupReady = false;
    // One blocking read that outlived the client's command timeout (twice the BLOCK) is what a
    // stalled event loop or a starved machine does; two in a row are Redis trouble worth a warning.
    timeoutsInARow = message === TIMED_OUT ? timeoutsInARow + 1 : 0;
    if (timeoutsInARow === 1) {
      logger.info({ err: message }, 'principal events: a read timed out; retrying');
    } else {
      if (message !== lastError) logger.warn({ err: message }, 'principal events: cannot read; retrying');
      lastError = message;
    }
    await pause.sleep(retryDelayMs);
  }

  return {
    /** Turns until the consumer closes. */
    async run(): Promise<void> {
      while (!deps.stopping()) {
        try {
          await turn();
        } catch (err) {
          if (deps.stopping()) break;
          await recover(err);
        }
      }
    },
  };
}
