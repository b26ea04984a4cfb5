import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from '@vectorauth/shared';
import type { SnapshotStore } from '../search/snapshot-store.ts';
import { purgeTombstones } from './purge-tombstones.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Maintenance {
  /** One pass now: purge old tombstones, sweep orphaned snapshot and temporary files. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Background housekeeping, every `intervalMs` (first soon after start): tombstones older than
 * `tombstoneTtlSec` are purged, and snapshot files of collections that no longer exist (deleted
 * on another instance, or shredded while this one was down) and temporary files left by a crash
 * are deleted. Failures are logged and retried on the next pass.
 */
export function startMaintenance(deps: {
  orm: MikroORM;
  snapshots: SnapshotStore;
  tombstoneTtlSec: number;
  logger: Logger;
  intervalMs?: number;
  firstDelayMs?: number;
}): Maintenance {
  const { orm, snapshots, logger } = deps;
  let running: Promise<void> | undefined;
  let stopped = false;

  const existing = async (ids: string[]) => {
    const valid = ids.filter((id) => UUID.test(id));
    if (valid.length === 0) return new Set<string>();
    // One parameter holding a Postgres array literal: MikroORM expands a bound JS array into a
    // list of parameters, which `any(?::uuid[])` refuses ("malformed array literal").
    const rows = await orm.em
      .fork()
      .execute<{ id: string }[]>('select id from collection where id = any(?::uuid[])', [
        `{${valid.join(',')}}`,
      ]);
    return new Set(rows.map((r) => r.id));
  };

  async function pass(): Promise<void> {
    try {
      const purged = await purgeTombstones(orm.em.fork(), deps.tombstoneTtlSec);
      const swept = await snapshots.sweep(existing);
      if (purged || swept)
        logger.info({ purged, swept }, 'maintenance: tombstones purged, snapshot files swept');
    } catch (err) {
      logger.warn({ err }, 'maintenance pass failed; retrying next time');
    }
  }

  const runOnce = () => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = () => {
    if (!stopped) void runOnce();
  };
  const first = setTimeout(tick, deps.firstDelayMs ?? 5_000);
  const every = setInterval(tick, deps.intervalMs ?? 5 * 60_000);
  first.unref();
  every.unref();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}
