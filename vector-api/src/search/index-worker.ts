import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { codecByName } from '../store/codec-by-name.ts';
import type { DataKey, Metadata } from '../store/record-codec.ts';
import { StoredDataUnreadableError } from '../store/stored-data-errors.ts';
import { createBackgroundBuilds } from './background-build.ts';
import { CacheBudget } from './cache-budget.ts';
import { decodeRows, sizeOf } from './decode-rows.ts';
import { deserializeIndex } from './faiss.ts';
import { faissBinding } from './faiss-binding.ts';
import { FilterSubsets } from './filter-subset.ts';
import { searchGraph } from './graph-search.ts';
import {
  buildIndex,
  type EarlyWrite,
  type Entry,
  liveBitmap,
  liveCount,
  masksDeletes,
} from './index-entry.ts';
import type {
  IndexErrorCode,
  IndexReply,
  IndexRequest,
  IndexStats,
  IndexWorkerOptions,
  SearchHit,
  SearchOptions,
  WorkerEnvelope,
  WorkerEvent,
} from './index-protocol.ts';
import { filterKey } from './metadata-filter.ts';
import {
  decodeSnapshot,
  decodeSnapshotHeader,
  encodeSnapshot,
  snapshotPath,
  TEMP_SUFFIX,
} from './snapshot-file.ts';
import { searchSubset } from './subset-search.ts';

/**
 * The index worker: holds every cached FAISS index (searches never run on the request thread),
 * loads them from an encrypted snapshot plus the rows written after it, keeps them within the
 * memory budget (least recently used out first), and writes snapshots in the background.
 */
const options = workerData as IndexWorkerOptions;
faissBinding().setThreads(options.threads);
// Inner product: BLAS from the first query (10k x 384: 1 query 2.9 ms instead of 3.6 ms by the
// scan, 7 queries 2.2 ms instead of 15 ms). L2: from 3 queries, because FAISS's L2 BLAS path
// recomputes every stored vector's norm per call (20k x 384, one query: 17 ms against 7.6 ms by
// the scan). Rescoring keeps scores independent of the path.
faissBinding().setBlasThreshold(1, 3);

const entries = new Map<string, Entry>();
/** Writes held per collection, waiting for the one before them, and their vectors' bytes. */
const EARLY_WRITES = 64;
const EARLY_BYTES = 32 * 1024 * 1024;
const budget = new CacheBudget(options.cacheBytes);
/** The counters the worker keeps; the rest of `IndexStats` is read off the cache when asked. */
const stats: Omit<IndexStats, 'entries' | 'bytes' | 'building'> = {
  evictions: 0,
  snapshotsWritten: 0,
  searchCalls: 0,
  searchQueries: 0,
  searchSeconds: 0,
  rebuilds: 0,
};

class CodedError extends Error {
  readonly code: IndexErrorCode;
  constructor(code: IndexErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

function post(event: WorkerEvent): void {
  parentPort?.postMessage({ seq: 0, event });
}

const bytesOf = (e: Entry) =>
  e.index.bytes() + (e.build?.index.bytes() ?? 0) + e.ids.length * 8 + e.extraBytes;

/** Builds run in slices between messages; when one ends, the entry is remembered and saved again. */
const builds = createBackgroundBuilds({
  current: (e) => entries.get(e.target.key) === e,
  done(e) {
    stats.rebuilds++;
    remember(e);
    schedule(e);
  },
  failed(e, err) {
    forget(e.target.key); // the next search reloads it from the snapshot and rows
    post({
      event: 'rebuild_failed',
      key: e.target.key,
      error: err instanceof Error ? err.message : String(err),
    });
  },
  step: (e) => remember(e),
});

function remember(entry: Entry): void {
  const key = entry.target.key;
  entries.set(key, entry);
  for (const old of budget.touch(key, bytesOf(entry))) {
    forget(old);
    stats.evictions++;
    post({ event: 'evicted', key: old });
  }
}

function forget(key: string): void {
  const entry = entries.get(key);
  if (entry?.timer) clearTimeout(entry.timer);
  entries.delete(key);
  budget.forget(key);
  if (entry) builds.abandon(entry);
  entry?.index.dispose(); // frees its native memory now: a pending snapshot has serialized already
}

/**
 * Removes every id in `replaced` (an HNSW graph masks them), then appends the given records (one
 * FAISS call each way).
 */
function applyChanges(
  entry: Entry,
  replaced: ReadonlySet<string>,
  add: { ids: string[]; vectors: Float32Array; metadata: (Metadata | null)[]; sizes: number[] },
): void {
  entry.subsets.clear();
  entry.live = undefined;
  const labels: number[] = [];
  entry.ids.forEach((id, label) => {
    if (id !== '' && replaced.has(id)) labels.push(label);
  });
  if (labels.length > 0 && masksDeletes(entry)) {
    for (const label of labels) {
      entry.extraBytes -= entry.sizes[label] ?? 0;
      entry.ids[label] = '';
      entry.metadata[label] = null;
      entry.sizes[label] = 0;
    }
    entry.masked += labels.length;
  } else if (labels.length > 0) {
    entry.index.remove(labels);
    const keep = (_: unknown, label: number) => !replaced.has(entry.ids[label] as string);
    for (const label of labels) entry.extraBytes -= entry.sizes[label] ?? 0;
    entry.metadata = entry.metadata.filter(keep);
    entry.sizes = entry.sizes.filter(keep);
    entry.ids = entry.ids.filter(keep);
  }
  entry.index.add(add.vectors);
  entry.ids.push(...add.ids);
  entry.metadata.push(...add.metadata);
  entry.sizes.push(...add.sizes);
  for (const s of add.sizes) entry.extraBytes += s;
}

function applyWrite(entry: Entry, write: EarlyWrite): void {
  const sizes = write.ids.map((id, i) => {
    const m = write.metadata[i];
    return sizeOf(id, m ? JSON.stringify(m).length : 0);
  });
  applyChanges(entry, new Set([...write.deletes, ...write.ids]), { ...write, sizes });
  entry.version = write.toVersion;
  entry.changes += write.ids.length + write.deletes.length;
}

/**
 * Holds a write that overtook the one before it: two writes on this instance commit in one order
 * and reach the worker in the other. Dropping the entry instead would reload a whole collection
 * for every such race. A gap left by another instance's write never closes; the search that
 * needs that write finds the entry stale and reloads it. Bounded in writes and bytes.
 */
function holdEarly(entry: Entry, write: EarlyWrite): boolean {
  if (write.fromVersion < entry.version) return false;
  const early = entry.early ?? new Map<number, EarlyWrite>();
  let bytes = write.vectors.byteLength;
  for (const held of early.values()) bytes += held.vectors.byteLength;
  if (early.size >= EARLY_WRITES || bytes > EARLY_BYTES) return false;
  early.set(write.fromVersion, {
    fromVersion: write.fromVersion,
    toVersion: write.toVersion,
    deletes: write.deletes,
    ids: write.ids,
    vectors: write.vectors,
    metadata: write.metadata,
  });
  entry.early = early;
  return true;
}

/** Applies the held writes that follow on from the entry's version; drops those it passed. */
function applyHeldWrites(entry: Entry): void {
  const early = entry.early;
  if (!early) return;
  for (let next = early.get(entry.version); next; next = early.get(entry.version)) {
    early.delete(next.fromVersion);
    applyWrite(entry, next);
  }
  for (const from of early.keys()) if (from < entry.version) early.delete(from);
  if (early.size === 0) entry.early = undefined;
}

function openSnapshotEntry(request: Extract<IndexRequest, { op: 'load' }>, dataKey: DataKey | null): Entry {
  const { target, snapshot } = request;
  if (!snapshot) throw new Error('no snapshot');
  let file: Buffer;
  try {
    file = readFileSync(snapshot.path);
  } catch {
    throw new CodedError('snapshot_changed', 'the snapshot file went away');
  }
  const head = decodeSnapshotHeader(file)?.header;
  if (head && head.version !== snapshot.version) {
    throw new CodedError('snapshot_changed', 'the snapshot file was replaced');
  }
  if (
    !head ||
    head.collectionId !== target.key ||
    head.metric !== target.metric ||
    head.dimension !== target.dimension ||
    head.codec !== request.codec ||
    head.dataKeyId !== (dataKey?.id ?? null)
  ) {
    throw new CodedError('snapshot_unusable', 'the snapshot belongs to another collection, key or format');
  }
  try {
    const { body } = decodeSnapshot(codecByName(request.codec), dataKey, target.principal, file);
    const index = deserializeIndex(body.index, target.metric, target.dimension);
    if (index.size() !== body.ids.length) throw new Error('snapshot index size does not match its ids');
    index.adviseHugePages();
    const masked = body.ids.filter((id) => id === '').length;
    if (masked > 0 && index.kind !== 'hnsw') throw new Error('a flat snapshot with masked records');
    const perRecord =
      body.ids.length > masked ? (file.length - body.index.length) / (body.ids.length - masked) : 0;
    const sizes = body.ids.map((id) => (id === '' ? 0 : sizeOf(id, perRecord)));
    return {
      target,
      version: snapshot.version,
      index,
      ids: body.ids,
      masked,
      metadata: body.metadata,
      sizes,
      extraBytes: sizes.reduce((a, b) => a + b, 0),
      codec: request.codec,
      dataKey,
      changes: 0,
      writing: false,
      subsets: new FilterSubsets(),
    };
  } catch (err) {
    throw new CodedError(
      'snapshot_unusable',
      `the snapshot does not open: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function load(request: Extract<IndexRequest, { op: 'load' }>): Extract<IndexReply, { op: 'load' }> {
  const { target } = request;
  const k = request.dataKey?.key;
  const dataKey =
    request.dataKey && k
      ? { id: request.dataKey.id, key: Buffer.from(k.buffer, k.byteOffset, k.byteLength) }
      : null;
  const existing = entries.get(target.key);
  let source: 'snapshot' | 'records' | 'cache' = 'cache';
  let entry: Entry;
  if (existing && existing.version >= request.version) {
    entry = existing; // already as new (a write applied meanwhile)
  } else if (request.snapshot) {
    entry = openSnapshotEntry(request, dataKey);
    const rows = decodeRows(request, dataKey);
    applyChanges(entry, rows.touched, rows);
    entry.version = request.version;
    entry.changes = rows.touched.size;
    source = 'snapshot';
  } else {
    const rows = decodeRows(request, dataKey);
    // Flat first (exact, built at once); a graph, when wanted, is built in the background.
    const index = buildIndex(target, 'flat', rows.vectors);
    index.adviseHugePages();
    entry = {
      target,
      version: request.version,
      index,
      ids: rows.ids,
      masked: 0,
      metadata: rows.metadata,
      sizes: rows.sizes,
      extraBytes: rows.sizes.reduce((a, b) => a + b, 0),
      codec: request.codec,
      dataKey,
      changes: rows.ids.length,
      writing: false,
      subsets: new FilterSubsets(),
    };
    source = 'records';
  }
  if (existing && existing !== entry) {
    if (existing.early) entry.early = existing.early; // writes that follow on from the reload
    forget(target.key);
  }
  applyHeldWrites(entry);
  remember(entry);
  schedule(entry);
  builds.start(entry);
  const hits = request.search ? search(entry, request.search) : undefined;
  return { op: 'load', version: entry.version, source, ...(hits ? { hits } : {}) };
}

function search(
  entry: Entry,
  { queries, k, filter, withVectors, ef }: { queries: Float32Array; k: number } & SearchOptions,
): SearchHit[][] {
  const subset = filter ? entry.subsets.of(filterKey(filter), entry.metadata, filter, entry.ids) : undefined;
  const nq = queries.length / entry.target.dimension;
  if (subset?.count === 0 || liveCount(entry) === 0) return Array.from({ length: nq }, () => []);
  const started = performance.now();
  const d = entry.target.dimension;
  const answers =
    entry.index.kind === 'hnsw'
      ? searchGraph(entry.index, queries, d, k, ef ?? entry.target.index.efSearch, {
          only: subset ? subset.bitmap : liveBitmap(entry),
          count: subset ? subset.count : liveCount(entry),
          total: entry.ids.length,
        })
      : subset
        ? searchSubset(entry.index, queries, d, k, subset)
        : entry.index.search(queries, k, liveBitmap(entry));
  stats.searchSeconds += (performance.now() - started) / 1000;
  stats.searchCalls++;
  stats.searchQueries += answers.length;
  return answers.map(({ labels, distances }) => {
    const vectors = withVectors ? entry.index.vectorsAt(labels) : undefined;
    return labels.map((label, j) => ({
      id: entry.ids[label] as string,
      distance: distances[j] as number,
      metadata: entry.metadata[label] ?? null,
      ...(vectors ? { vector: vectors.subarray(j * d, (j + 1) * d) } : {}),
    }));
  });
}

function schedule(entry: Entry): void {
  // Not while a build runs: the build's end rewrites the snapshot anyway, as the new index.
  if (options.snapshotEvery <= 0 || entry.timer || entry.writing || entry.build) return;
  if (entry.changes < options.snapshotEvery) return;
  if (codecByName(entry.codec).keyed && !entry.dataKey) return;
  entry.timer = setTimeout(() => void writeSnapshot(entry), options.snapshotDelayMs);
}

/**
 * Serialises the entry as of its current version (synchronously, so no write can slip in), then
 * writes it to a temporary file, fsyncs it, and renames it over the previous snapshot: a reader
 * (or a restart after kill -9) finds the old file or the new one, never half of one.
 */
async function writeSnapshot(entry: Entry): Promise<void> {
  entry.timer = undefined;
  const key = entry.target.key;
  if (entries.get(key) !== entry || entry.writing || entry.build) return;
  entry.writing = true;
  const started = performance.now();
  const version = entry.version;
  const changesAtStart = entry.changes;
  const path = snapshotPath(options.dataDir, entry.target.principal, key);
  const temp = `${path}.${process.pid}.${randomUUID()}${TEMP_SUFFIX}`;
  try {
    const parts = encodeSnapshot(
      codecByName(entry.codec),
      entry.dataKey,
      entry.target.principal,
      {
        format: 1,
        collectionId: key,
        version,
        count: entry.ids.length,
        dimension: entry.target.dimension,
        metric: entry.target.metric,
        codec: entry.codec,
        dataKeyId: entry.dataKey?.id ?? null,
      },
      { ids: entry.ids, metadata: entry.metadata, index: entry.index.serialize() },
    );
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writev(parts);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (entries.get(key) !== entry) {
      await rm(temp, { force: true }); // dropped meanwhile (collection or principal deleted)
      return;
    }
    renameSync(temp, path); // synchronous: no drop can be handled between the check and the rename
    syncDirectory(dirname(path));
    entry.changes -= changesAtStart;
    stats.snapshotsWritten++;
    const bytes = parts.reduce((n, p) => n + p.length, 0);
    post({ event: 'snapshot_written', key, version, bytes, ms: performance.now() - started });
  } catch (err) {
    await rm(temp, { force: true }).catch(() => undefined);
    post({ event: 'snapshot_failed', key, version, error: err instanceof Error ? err.message : String(err) });
  } finally {
    entry.writing = false;
    if (entries.get(key) === entry) schedule(entry);
  }
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function handle(request: IndexRequest): IndexReply {
  switch (request.op) {
    case 'load':
      return load(request);
    case 'apply': {
      const entry = entries.get(request.key);
      if (!entry) return { op: 'apply', applied: false };
      if (entry.version >= request.toVersion) return { op: 'apply', applied: true };
      if (entry.version !== request.fromVersion) {
        if (holdEarly(entry, request)) return { op: 'apply', applied: true };
        forget(request.key); // the gap does not close here: reloaded when searched
        return { op: 'apply', applied: false };
      }
      applyWrite(entry, request);
      applyHeldWrites(entry);
      remember(entry);
      schedule(entry);
      builds.start(entry);
      return { op: 'apply', applied: true };
    }
    case 'search': {
      const entry = entries.get(request.key);
      if (!entry || entry.version < request.minVersion) return { op: 'search', stale: true };
      remember(entry);
      return {
        op: 'search',
        stale: false,
        version: entry.version,
        hits: search(entry, request),
      };
    }
    case 'count': {
      const entry = entries.get(request.key);
      if (!entry || entry.version < request.minVersion) return { op: 'count', stale: true };
      remember(entry);
      const count = request.filter
        ? entry.subsets.of(filterKey(request.filter), entry.metadata, request.filter, entry.ids).count
        : liveCount(entry);
      return { op: 'count', stale: false, version: entry.version, count };
    }
    case 'drop':
      forget(request.key);
      return { op: 'drop', done: true };
    case 'dropPrincipal':
      for (const [key, entry] of entries) if (entry.target.principal === request.principal) forget(key);
      return { op: 'dropPrincipal', done: true };
    case 'stats':
      return {
        op: 'stats',
        stats: {
          ...stats,
          entries: entries.size,
          bytes: budget.totalBytes,
          building: [...entries.values()].filter((e) => e.build).length,
        },
      };
  }
}

parentPort?.on('message', (message: { seq: number; request: IndexRequest }) => {
  let envelope: WorkerEnvelope<IndexReply>;
  try {
    envelope = { seq: message.seq, ok: true, value: handle(message.request) };
  } catch (err) {
    const request = message.request;
    if (request.op === 'apply') forget(request.key); // never leave a half-updated index behind
    const code =
      err instanceof CodedError
        ? err.code
        : err instanceof StoredDataUnreadableError
          ? 'stored_data_unreadable'
          : undefined;
    envelope = {
      seq: message.seq,
      ok: false,
      error: err instanceof Error ? err.message : String(err),
      ...(code ? { code } : {}),
    };
  }
  parentPort?.postMessage(envelope);
});
