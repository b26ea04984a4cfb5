import { open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Collection } from '../store/collection.ts';
import {
  decodeSnapshotHeader,
  HEADER_READ_BYTES,
  principalSnapshotDir,
  SNAPSHOT_SUFFIX,
  type SnapshotHeader,
  snapshotPath,
  TEMP_SUFFIX,
} from './snapshot-file.ts';

export interface SnapshotRef {
  path: string;
  header: SnapshotHeader;
}

export interface SnapshotStore {
  /** The collection's snapshot file and its plaintext header, without opening the body. */
  peek(collection: Collection): Promise<SnapshotRef | null>;
  remove(collection: Collection): Promise<void>;
  removePrincipal(principal: string): Promise<void>;
  /**
   * Deletes snapshots of collections that no longer exist (`existing` says which ids do) and
   * temporary files older than `tempAgeMs` (left by a crash in the middle of a write).
   */
  sweep(existing: (ids: string[]) => Promise<Set<string>>, tempAgeMs?: number): Promise<number>;
}

/** Snapshot files under `DATA_DIR/snapshots`, as the main thread sees them (the worker writes them). */
export function createSnapshotStore(dataDir: string): SnapshotStore {
  const root = join(dataDir, 'snapshots');
  return {
    async peek(collection) {
      const path = snapshotPath(dataDir, collection.principal, collection.id);
      let bytes: Buffer;
      try {
        const handle = await open(path, 'r');
        try {
          const buffer = Buffer.alloc(HEADER_READ_BYTES);
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
          bytes = buffer.subarray(0, bytesRead);
        } finally {
          await handle.close();
        }
      } catch {
        return null;
      }
      const head = decodeSnapshotHeader(bytes);
      if (!head || head.header.collectionId !== collection.id) {
        await rm(path, { force: true });
        return null;
      }
      return { path, header: head.header };
    },
    async remove(collection) {
      await rm(snapshotPath(dataDir, collection.principal, collection.id), { force: true });
    },
    async removePrincipal(principal) {
      await rm(principalSnapshotDir(dataDir, principal), { recursive: true, force: true });
    },
    async sweep(existing, tempAgeMs = 10 * 60_000) {
      let removed = 0;
      const dirs = await readdir(root).catch(() => [] as string[]);
      for (const dir of dirs) {
        const full = join(root, dir);
        const names = await readdir(full).catch(() => [] as string[]);
        const snapshots = names.filter((n) => n.endsWith(SNAPSHOT_SUFFIX));
        const live = await existing(snapshots.map((n) => n.slice(0, -SNAPSHOT_SUFFIX.length)));
        for (const name of names) {
          const path = join(full, name);
          if (name.endsWith(SNAPSHOT_SUFFIX) && !live.has(name.slice(0, -SNAPSHOT_SUFFIX.length))) {
            await rm(path, { force: true });
            removed++;
          } else if (name.endsWith(TEMP_SUFFIX)) {
            const info = await stat(path).catch(() => null);
            if (info && Date.now() - info.mtimeMs > tempAgeMs) {
              await rm(path, { force: true });
              removed++;
            }
          }
        }
        if ((await readdir(full).catch(() => ['?'])).length === 0)
          await rm(full, { recursive: true, force: true });
      }
      return removed;
    },
  };
}
