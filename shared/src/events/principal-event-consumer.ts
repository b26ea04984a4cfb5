import type { Logger } from '../logger/logger.ts';
import type { Redis } from '../redis/create-redis.ts';
import { closeRedis } from '../redis/create-redis.ts';
import { createInterruptiblePause } from './interruptible-pause.ts';
import { createPrincipalEntryHandler } from './principal-entry-handler.ts';
import { createPrincipalEventReadLoop } from './principal-event-read-loop.ts';
import { createPrincipalEventStream } from './principal-event-stream.ts';
import type { PrincipalEvent } from './principal-events.ts';

export interface PrincipalEventConsumerOptions {
  /** A dedicated connection (from `createRedis`): it blocks in XREADGROUP. The consumer closes it. */
  redis: Redis;
  /** The consumer group: one per consuming service. */
  group: string;
  /** This instance's name in the group. */
  consumer: string;
  /** Handles one event; it is acknowledged when this resolves, retried later when it throws. */
  handle(event: PrincipalEvent, entryId: string): Promise<void>;
  logger: Logger;
  /** XREADGROUP BLOCK time; below the connection's command timeout (2 s for `createRedis`). */
  blockMs?: number;
  /** Entries left unacknowledged this long by another consumer (a dead instance) are taken over. */
  claimIdleMs?: number;
  /** Other consumers idle this long with nothing pending are removed from the group (default a day). */
  forgetConsumersAfterMs?: number;
  /** Pause after a failure (Redis away, handler failed) before trying again. */
  retryDelayMs?: number;
  count?: number;
}

export interface PrincipalEventConsumer {
  /** Finishes the event in hand (if any), stops reading and closes the connection. */
  close(): Promise<void>;
}

/**
 * Reads principal events for one consumer group until closed: first the entries this consumer
 * was given but never acknowledged (after a restart under the same name, or a failed handler),
 * then entries other consumers left idle for `claimIdleMs` (XAUTOCLAIM), then new ones (XREADGROUP
 * BLOCK). The group is created at the start of the stream when missing, so no event is lost to a
 * service that starts after it was published.
 */
export function startPrincipalEventConsumer(options: PrincipalEventConsumerOptions): PrincipalEventConsumer {
  const { redis } = options;
  const stream = createPrincipalEventStream({
    redis,
    group: options.group,
    consumer: options.consumer,
    count: options.count ?? 10,
  });
  const pause = createInterruptiblePause();
  let stopping = false;
  const loop = createPrincipalEventReadLoop({
    redis,
    stream,
    pause,
    handleEntries: createPrincipalEntryHandler({ stream, handle: options.handle, logger: options.logger }),
    logger: options.logger,
    stopping: () => stopping,
    blockMs: options.blockMs ?? 1000,
    claimIdleMs: options.claimIdleMs ?? 30_000,
    retryDelayMs: options.retryDelayMs ?? 1000,
    forgetConsumersAfterMs: options.forgetConsumersAfterMs ?? 24 * 3600_000,
  });
  const running = loop.run();
  return {
    async close() {
      stopping = true;
      pause.wake();
      if (stream.reading) redis.disconnect(); // do not wait out a BLOCK; an unacknowledged entry is redelivered
      await running;
      await closeRedis(redis);
    },
  };
}
