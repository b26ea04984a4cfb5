import { parentPort } from 'node:worker_threads';
import type { Metadata } from '../store/record-codec.ts';
import { createFlatIndex, type FlatIndex } from './faiss.ts';
import type { IndexReply, IndexRequest, WorkerEnvelope } from './index-protocol.ts';

/** One cached index: FAISS positions map to `ids[label]` / `metadata[label]`. */
interface Entry {
  version: number;
  index: FlatIndex;
  ids: string[];
  metadata: (Metadata | null)[];
}

const entries = new Map<string, Entry>();

function handle(request: IndexRequest): IndexReply {
  switch (request.op) {
    case 'load': {
      const index = createFlatIndex(request.metric, request.dimension);
      index.add(request.vectors);
      entries.set(request.key, {
        version: request.version,
        index,
        ids: request.ids,
        metadata: request.metadata,
      });
      return { op: 'load', done: true };
    }
    case 'apply': {
      const entry = entries.get(request.key);
      if (!entry || entry.version !== request.fromVersion) {
        entries.delete(request.key);
        return { op: 'apply', applied: false };
      }
      const replaced = new Set([...request.deletes, ...request.ids]);
      const labels: number[] = [];
      entry.ids.forEach((id, label) => {
        if (replaced.has(id)) labels.push(label);
      });
      if (labels.length > 0) {
        entry.index.remove(labels);
        const keep = (_: unknown, label: number) => !replaced.has(entry.ids[label] as string);
        entry.metadata = entry.metadata.filter(keep);
        entry.ids = entry.ids.filter(keep);
      }
      entry.index.add(request.vectors);
      entry.ids.push(...request.ids);
      entry.metadata.push(...request.metadata);
      entry.version = request.toVersion;
      return { op: 'apply', applied: true };
    }
    case 'search': {
      const entry = entries.get(request.key);
      if (!entry || entry.version < request.minVersion) return { op: 'search', stale: true };
      const hits = entry.index.search(request.queries, request.k).map(({ labels, distances }) =>
        labels.map((label, j) => ({
          id: entry.ids[label] as string,
          distance: distances[j] as number,
          metadata: entry.metadata[label] ?? null,
        })),
      );
      return { op: 'search', stale: false, version: entry.version, hits };
    }
    case 'drop':
      entries.delete(request.key);
      return { op: 'drop', done: true };
  }
}

parentPort?.on('message', (message: { seq: number; request: IndexRequest }) => {
  let envelope: WorkerEnvelope<IndexReply>;
  try {
    envelope = { seq: message.seq, ok: true, value: handle(message.request) };
  } catch (err) {
    entries.delete(message.request.key); // never leave a half-updated index behind
    envelope = { seq: message.seq, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(envelope);
});
