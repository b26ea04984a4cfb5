import { Worker } from 'node:worker_threads';
import type { Logger } from '@vectorauth/shared';
import { ServiceUnavailableError } from '@vectorauth/shared';
import type { IndexReply, IndexRequest, WorkerEnvelope } from './index-protocol.ts';

export interface IndexWorkerClient {
  request<R extends IndexReply>(request: IndexRequest): Promise<R>;
  close(): Promise<void>;
}

interface Pending {
  resolve: (value: IndexReply) => void;
  reject: (err: Error) => void;
}

/**
 * Owns the worker thread that holds every FAISS index, so searches never run on the event loop
 * that serves requests. A crashed worker is replaced on the next request (its cache is lost;
 * searches then reload from Postgres).
 */
export function createIndexWorkerClient(logger: Logger): IndexWorkerClient {
  let worker: Worker | undefined;
  let seq = 0;
  let closed = false;
  const pending = new Map<number, Pending>();

  function failAll(err: Error): void {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  }

  function spawn(): Worker {
    const w = new Worker(new URL('./index-worker.ts', import.meta.url));
    w.on('message', (envelope: WorkerEnvelope<IndexReply>) => {
      const p = pending.get(envelope.seq);
      if (!p) return;
      pending.delete(envelope.seq);
      if (envelope.ok && envelope.value) p.resolve(envelope.value);
      else p.reject(new Error(`index worker: ${envelope.error ?? 'unknown error'}`));
    });
    w.on('error', (err) => logger.error({ err }, 'index worker failed'));
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      if (!closed) logger.error({ code }, 'index worker exited');
      failAll(new ServiceUnavailableError('the search index restarted; try again'));
    });
    return w;
  }

  return {
    request<R extends IndexReply>(request: IndexRequest): Promise<R> {
      if (closed) return Promise.reject(new ServiceUnavailableError('the vector API is shutting down'));
      worker ??= spawn();
      const id = ++seq;
      const target = worker;
      return new Promise<R>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: IndexReply) => void, reject });
        target.postMessage({ seq: id, request });
      });
    },
    async close() {
      closed = true;
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
      failAll(new ServiceUnavailableError('the vector API is shutting down'));
    },
  };
}
