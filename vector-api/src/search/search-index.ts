import type { MikroORM } from '@mikro-orm/postgresql';
import type { Encryption } from '../store/encryption.ts';
import type { TamperReport } from '../store/tamper-report.ts';
import { createIndexLoader } from './index-loader.ts';
import type { IndexWorkerClient } from './index-worker-client.ts';
import type { SnapshotStore } from './snapshot-store.ts';
import { createVectorIndex, type VectorIndex } from './vector-index.ts';

/**
 * The search side: the FAISS worker's indexes, loaded from snapshots and Postgres; a snapshot file
 * that fails authentication is refused, reported as tampering, and the index rebuilt from rows.
 */
export function createSearchIndex(deps: {
  worker: IndexWorkerClient;
  orm: MikroORM;
  encryption: Encryption;
  snapshots: SnapshotStore;
  tamper: TamperReport;
}): VectorIndex {
  const loader = createIndexLoader(deps);
  return createVectorIndex({
    worker: deps.worker,
    planLoad: loader.planLoad,
    discardSnapshot: loader.discardSnapshot,
    onSnapshotRefused: (collection, reason) =>
      void deps.tamper.report({
        kind: 'snapshot',
        principal: collection.principal,
        collection: collection.name,
        collectionId: collection.id,
        reason,
      }),
  });
}
