import type { Redis } from '../redis/create-redis.ts';
import { PRINCIPAL_EVENTS_STREAM } from './principal-events.ts';

/** One stream entry as Redis returns it; `fields` is null for an entry trimmed away since delivery. */
export type StreamEntry = [id: string, fields: string[] | null];

/** The Redis commands one consumer of a group sends to the principal events stream. */
export interface PrincipalEventStream {
  /** Creates the group at the start of the stream (so no earlier event is missed) unless it exists. */
  ensureGroup(): Promise<void>;
  /** Entries delivered to this consumer and never acknowledged (a restart, a failed handler). */
  readOwnPending(): Promise<StreamEntry[]>;
  /** New entries, waiting up to `blockMs` for one (XREADGROUP BLOCK). */
  readNew(blockMs: number): Promise<StreamEntry[]>;
  /** Whether a read is in flight (a blocked read is ended by dropping the connection). */
  readonly reading: boolean;
  /** Takes over entries that other consumers left unacknowledged for `idleMs` (XAUTOCLAIM). */
  claimIdle(idleMs: number): Promise<StreamEntry[]>;
  acknowledge(entryId: string): Promise<void>;
  /** Consumers are named per process: removes other consumers idle for `idleMs` with nothing pending. */
  forgetDeadConsumers(idleMs: number): Promise<void>;
}

/** The error code of a Redis error reply: its first word (`BUSYGROUP`, `NOGROUP`, ...). */
export function redisReplyCode(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split(' ', 1)[0] ?? '';
}

export function createPrincipalEventStream(options: {
  redis: Redis;
  group: string;
  consumer: string;
  /** Entries per read or claim. */
  count: number;
}): PrincipalEventStream {
  const { redis, group, consumer, count } = options;
  const stream = PRINCIPAL_EVENTS_STREAM;
  let reading = false;

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

  return {
    async ensureGroup() {
      try {
        await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
      } catch (err) {
        if (redisReplyCode(err) !== 'BUSYGROUP') throw err;
      }
    },
    readOwnPending: () => read(['STREAMS', stream, '0']),
    readNew: (blockMs) => read(['BLOCK', blockMs, 'STREAMS', stream, '>']),
    get reading() {
      return reading;
    },
    async claimIdle(idleMs) {
      const [, entries] = (await redis.xautoclaim(
        stream,
        group,
        consumer,
        idleMs,
        '0-0',
        'COUNT',
        count,
      )) as [string, StreamEntry[]];
      return entries;
    },
    async acknowledge(entryId) {
      await redis.xack(stream, group, entryId);
    },
    async forgetDeadConsumers(idleMs) {
      const rows = (await redis.xinfo('CONSUMERS', stream, group)) as (string | number)[][];
      for (const row of rows) {
        const info = new Map<string, string | number>();
        for (let i = 0; i + 1 < row.length; i += 2) info.set(String(row[i]), row[i + 1] as string | number);
        const name = String(info.get('name'));
        if (name !== consumer && Number(info.get('pending')) === 0 && Number(info.get('idle')) > idleMs) {
          await redis.xgroup('DELCONSUMER', stream, group, name);
        }
      }
    },
  };
}
