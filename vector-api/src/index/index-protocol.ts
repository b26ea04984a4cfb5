import type { Metadata } from '../store/record-codec.ts';
import type { IndexMetric } from './faiss.ts';

/** Messages between the main thread and the index worker (structured clone; typed arrays copied). */
export type IndexRequest =
  | {
      op: 'load';
      key: string;
      version: number;
      metric: IndexMetric;
      dimension: number;
      ids: string[];
      vectors: Float32Array;
      metadata: (Metadata | null)[];
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
  | { op: 'search'; key: string; minVersion: number; queries: Float32Array; k: number }
  | { op: 'drop'; key: string };

export interface SearchHit {
  id: string;
  distance: number;
  metadata: Metadata | null;
}

export type IndexReply =
  | { op: 'load' | 'drop'; done: true }
  | { op: 'apply'; applied: boolean }
  | { op: 'search'; stale: true }
  | { op: 'search'; stale: false; version: number; hits: SearchHit[][] };

export interface WorkerEnvelope<T> {
  seq: number;
  ok: boolean;
  value?: T;
  error?: string;
}
