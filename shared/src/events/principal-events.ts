import type { Redis } from 'ioredis';
import type { Logger } from '../logger/logger.ts';
import { closeRedis } from '../redis/create-redis.ts';

/**
 * Principal lifecycle events, from the auth server to every service that keeps per-principal data.
 *
 * Contract: a Redis Stream at PRINCIPAL_EVENTS_STREAM; each entry has the string fields
 * `type` ("principal.deleted"), `sub` (the principal, as in access tokens) and `at` (ISO 8601).
 * Producers append with `publishPrincipalDeleted`. Each consuming service reads through its own
 * consumer group (all instances of a service share it, so each event is handled once per service),
 * acknowledges an entry only after handling it, and handles it idempotently: an entry may be
 * delivered again after a crash. The stream is capped at about PRINCIPAL_EVENTS_MAXLEN entries.
 */
export const PRINCIPAL_EVENTS_STREAM = 'vectorauth:principal-events';
export const PRINCIPAL_EVENTS_MAXLEN = 100_000;

export interface PrincipalDeletedEvent {
  type: 'principal.deleted';
  sub: string;
  at: string;
}

export type PrincipalEvent = PrincipalDeletedEvent;

/** Appends a `principal.deleted` event (call after the deletion committed); returns the entry id. */
export async function publishPrincipalDeleted(redis: Redis, sub: string, at = new Date()): Promise<string> {
  if (!sub) throw new Error('a principal is required');
  const id = await redis.xadd(
    PRINCIPAL_EVENTS_STREAM,
    'MAXLEN',
    '~',
    PRINCIPAL_EVENTS_MAXLEN,
    '*',
    'type',
    'principal.deleted',
    'sub',
    sub,
    'at',
    at.toISOString(),
  );
  if (!id) throw new Error('the principal event was not appended');
  return id;
}

/** An entry's fields as an event; null for anything this version does not understand. */
export function parsePrincipalEvent(fields: readonly string[] | null | undefined): PrincipalEvent | null {
  if (!fields) return null;
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] as string, fields[i + 1] as string);
  const type = map.get('type');
  const sub = map.get('sub');
  const at = map.get('at') ?? '';
  if (type !== 'principal.deleted' || !sub) return null;
  return { type, sub, at };
}

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

type StreamEntry = [id: string, fields: string[] | null];

/**
 * Reads principal events for one consumer group until closed: first the entries this consumer
 * was given but never acknowledged (after a restart under the same name, or a failed handler),
 * then entries other consumers left idle for `claimIdleMs` (XAUTOCLAIM), then new ones (XREADGROUP
 * BLOCK). The group is created at the start of the stream when missing, so no event is lost to a
 * service that starts after it was published.
 */
export function startPrincipalEventConsumer(options: PrincipalEventConsumerOptions): PrincipalEventConsumer {
  const { redis, group, consumer, logger } = options;
  const stream = PRINCIPAL_EVENTS_STREAM;
  const blockMs = options.blockMs ?? 1000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const count = options.count ?? 10;
  const deadAfterMs = options.forgetConsumersAfterMs ?? 24 * 3600_000;
  let stopping = false;
  let reading = false;
  let wake: (() => void) | undefined;
  let lastError = '';

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  async function read(args: (string | number)[]): Promise<StreamEntry[]> {
    reading = true;
    try {
      const reply = (await redis.xreadgroup(
        'GROUP',
        group,
        consumer,
        'COUNT',
        count,
        ...(args as ['STREAMS', string, string]),
      )) as [string, StreamEntry[]][] | null;
      return reply?.[0]?.[1] ?? [];
    } finally {
      reading = false;
    }
  }

  /** Handles and acknowledges entries in order; false when one failed (it stays pending). */
  async function process(entries: StreamEntry[]): Promise<boolean> {
    for (const [id, fields] of entries) {
      const event = parsePrincipalEvent(fields);
      if (!event) {
        if (fields) logger.warn({ entryId: id }, 'principal events: skipping an entry of unknown shape');
      } else {
        try {
          await options.handle(event, id);
        } catch (err) {
          logger.error(
            { err, entryId: id, type: event.type },
            'principal events: handling failed; will retry',
          );
          return false;
        }
      }
      await redis.xack(stream, group, id);
    }
    return true;
  }

  async function ensureGroup(): Promise<void> {
    try {
      await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test(String(err))) throw err;
    }
  }

  async function claimIdle(): Promise<StreamEntry[]> {
    const [, entries] = (await redis.xautoclaim(
      stream,
      group,
      consumer,
      claimIdleMs,
      '0-0',
      'COUNT',
      count,
    )) as [string, StreamEntry[]];
    return entries;
  }

  /** Consumers are named per process: forget those gone for a day with nothing pending. */
  async function forgetDeadConsumers(): Promise<void> {
    const rows = (await redis.xinfo('CONSUMERS', stream, group)) as (string | number)[][];
    for (const row of rows) {
      const info = new Map<string, string | number>();
      for (let i = 0; i + 1 < row.length; i += 2) info.set(String(row[i]), row[i + 1] as string | number);
      const name = String(info.get('name'));
      if (name !== consumer && Number(info.get('pending')) === 0 && Number(info.get('idle')) > deadAfterMs) {
        await redis.xgroup('DELCONSUMER', stream, group, name);
      }
    }
  }

  async function run(): Promise<void> {
    let groupReady = false;
    let ownPending = true;
    let lastClaim = 0;
    let lastCleanup = 0;
    while (!stopping) {
      try {
        if (redis.status !== 'ready') {
          await pause(Math.min(retryDelayMs, 200));
          continue;
        }
        if (!groupReady) {
          await ensureGroup();
          groupReady = true;
        }
        if (ownPending) {
          const mine = await read(['STREAMS', stream, '0']);
          if (mine.length === 0) ownPending = false;
          else if (!(await process(mine))) await pause(retryDelayMs);
          continue;
        }
        if (Date.now() - lastClaim >= claimIdleMs / 2) {
          lastClaim = Date.now();
          const claimed = await claimIdle();
          if (claimed.length > 0) {
            if (!(await process(claimed))) ownPending = true;
            lastClaim = 0; // there may be more
            continue;
          }
          if (Date.now() - lastCleanup > Math.min(deadAfterMs, 3600_000)) {
            lastCleanup = Date.now();
            await forgetDeadConsumers();
          }
        }
        const fresh = await read(['BLOCK', blockMs, 'STREAMS', stream, '>']);
        if (!(await process(fresh))) {
          ownPending = true;
          await pause(retryDelayMs);
        }
        lastError = '';
      } catch (err) {
        if (stopping) break;
        const message = err instanceof Error ? err.message : String(err);
        if (/NOGROUP/.test(message)) groupReady = false;
        if (message !== lastError) logger.warn({ err: message }, 'principal events: cannot read; retrying');
        lastError = message;
        await pause(retryDelayMs);
      }
    }
  }

  const running = run();
  return {
    async close() {
      stopping = true;
      wake?.();
      if (reading) redis.disconnect(); // do not wait out a BLOCK; an unacknowledged entry is redelivered
      await running;
      await closeRedis(redis);
    },
  };
}
