import type { MikroORM } from '@mikro-orm/postgresql';
import type { Collection } from '../store/collection.ts';
import type { Encryption } from '../store/encryption.ts';
import { createRecordRepository } from '../store/record-repository.ts';
import type { SnapshotStore } from './snapshot-store.ts';
import type { LoadPlan } from './vector-index.ts';

export interface IndexLoader {
  planLoad(collection: Collection, useSnapshot: boolean): Promise<LoadPlan>;
  discardSnapshot(collection: Collection): Promise<void>;
}

/**
 * Decides what an index is rebuilt from. The snapshot on disk is used when its version can be
 * replayed forward exactly: no newer than the database, not older than the last tombstone purge,
 * sealed under the principal's current data key. Otherwise it is deleted and every live row is read.
 */
export function createIndexLoader(deps: {
  orm: MikroORM;
  encryption: Encryption;
  snapshots: SnapshotStore;
}): IndexLoader {
  const { codec } = deps.encryption;
  return {
    async planLoad(collection, useSnapshot) {
      const records = createRecordRepository(deps.orm.em.fork(), deps.encryption);
      const snapshot = useSnapshot ? await deps.snapshots.peek(collection) : null;
      let changes = await records.changes(collection, snapshot?.header.version ?? 0);
      const usable =
        snapshot !== null &&
        changes.base === snapshot.header.version &&
        snapshot.header.codec === codec.name &&
        snapshot.header.dataKeyId === (changes.key?.id ?? null);
      if (snapshot && !usable) {
        await deps.snapshots.remove(collection);
        if (changes.base !== 0) changes = await records.changes(collection, 0);
      }
      return {
        version: changes.version,
        codec: codec.name,
        dataKey: changes.key,
        snapshot: usable && snapshot ? { path: snapshot.path, version: snapshot.header.version } : null,
        rows: changes.rows,
      };
    },
    discardSnapshot: (collection) => deps.snapshots.remove(collection),
  };
}
