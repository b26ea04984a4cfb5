import type { IndexSettings } from '../store/index-settings.ts';
import type { PackedRows } from '../store/packed-rows.ts';
import type { CodecName, Metadata } from '../store/record-codec.ts';
import type { IndexMetric } from './faiss.ts';
import type { FilterNode } from './metadata-filter.ts';

/** Fixed at spawn (workerData). */
export interface IndexWorkerOptions {
  /** Snapshots go under `<dataDir>/snapshots`. */
  dataDir: string;
  /** Memory budget of every cached index together (vectors, ids, metadata, estimated). */
  cacheBytes: number;
  /** Write a snapshot once this many records changed since the last one (0: never). */
  snapshotEvery: number;
  /** Wait this long after the threshold is reached, so a burst of writes makes one snapshot. */
  snapshotDelayMs: number;
  /** OpenMP and OpenBLAS threads FAISS uses (VECTOR_SEARCH_THREADS), set when the worker starts. */
  threads: number;
}

/** What the worker knows about a collection it caches. */
export interface IndexTarget {
  key: string;
  principal: string;
  metric: IndexMetric;
  dimension: number;
  /** Flat, HNSW, or chosen by size; the HNSW graph's parameters. */
  index: IndexSettings;
}

/** How a batch of queries is searched (the same for every query of one worker call). */
export interface SearchOptions {
  /** Only records whose metadata match are candidates (exact: k hits whenever k match). */
  filter?: FilterNode;
  /** Each hit carries its stored vector. */
  withVectors?: boolean;
  /** HNSW candidates for this search (the collection's `efSearch` otherwise); flat ignores it. */
  ef?: number;
}

/** Messages between the main thread and the index worker (structured clone; typed arrays copied). */
export type IndexRequest =
  | {
      op: 'load';
      target: IndexTarget;
      /** The collection version the snapshot plus `rows` lead to. */
      version: number;
      codec: CodecName;
      /** The principal's data key (a copy in its own memory; structured clone makes it a Uint8Array). */
      dataKey: { id: string; key: Uint8Array } | null;
      /** Start from this snapshot file (its version must be `snapshot.version`), or from nothing. */
      snapshot: { path: string; version: number } | null;
      /** Rows written after the snapshot (tombstones included), or every live row. */
      rows: PackedRows;
      /** Searched right after loading, in the same step, so no eviction can come in between. */
      search?: { queries: Float32Array; k: number } & SearchOptions;
    }
  | {
      op: 'apply';
      key: string;
      fromVersion: number;
      toVersion: number;
      deletes: string[];
      ids: string[];
      vectors: Float32Array;
      metadata: (Metadata | null)[];
    }
  | ({
      op: 'search';
      key: string;
      minVersion: number;
      queries: Float32Array;
      k: number;
    } & SearchOptions)
  | { op: 'count'; key: string; minVersion: number; filter?: FilterNode }
  | { op: 'drop'; key: string }
  | { op: 'dropPrincipal'; principal: string }
  | { op: 'stats' };

export interface SearchHit {
  id: string;
  distance: number;
  metadata: Metadata | null;
  /** The stored vector, when asked for. */
  vector?: Float32Array;
}

export interface IndexStats {
  entries: number;
  bytes: number;
  evictions: number;
  snapshotsWritten: number;
  /** FAISS search calls, the queries they answered (before padding), and their time in FAISS. */
  searchCalls: number;
  searchQueries: number;
  searchSeconds: number;
  /** HNSW graphs compacted, and `auto` indexes switched between flat and HNSW. */
  rebuilds: number;
  /** Indexes being built in the background right now. */
  building: number;
}

export type IndexReply =
  | { op: 'load'; version: number; source: 'snapshot' | 'records' | 'cache'; hits?: SearchHit[][] }
  | { op: 'drop' | 'dropPrincipal'; done: true }
  | { op: 'apply'; applied: boolean }
  | { op: 'search'; stale: true }
  | { op: 'search'; stale: false; version: number; hits: SearchHit[][] }
  | { op: 'count'; stale: true }
  | { op: 'count'; stale: false; version: number; count: number }
  | { op: 'stats'; stats: IndexStats };

/** Error codes the worker sends back so the main thread can react (or rebuild a typed error). */
export type IndexErrorCode = 'snapshot_unusable' | 'snapshot_changed' | 'stored_data_unreadable';

export interface WorkerEnvelope<T> {
  seq: number;
  ok: boolean;
  value?: T;
  error?: string;
  code?: IndexErrorCode;
}

/** Unsolicited news from the worker, for the log. */
export interface WorkerEvent {
  event: 'snapshot_written' | 'snapshot_failed' | 'evicted' | 'rebuild_failed';
  key: string;
  version?: number;
  bytes?: number;
  ms?: number;
  error?: string;
}
