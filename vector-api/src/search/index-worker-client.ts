import { Worker } from 'node:worker_threads';
import type { Logger } from '@vectorauth/shared';
import { ServiceUnavailableError } from '@vectorauth/shared';
import type {
  IndexErrorCode,
  IndexReply,
  IndexRequest,
  IndexWorkerOptions,
  WorkerEnvelope,
  WorkerEvent,
} from './index-protocol.ts';
import { useFaissThreads } from './use-faiss-threads.ts';

export interface IndexWorkerClient {
  request<R extends IndexReply>(request: IndexRequest, transfer?: ArrayBuffer[]): Promise<R>;
  close(): Promise<void>;
}

/** A failure reported by the worker, with its code when the main thread should react to it. */
export class IndexWorkerError extends Error {
  readonly code: IndexErrorCode | undefined;
  /** The worker's own words, without the `index worker:` prefix of `message`. */
  readonly reason: string;
  constructor(reason: string, code?: IndexErrorCode) {
    super(`index worker: ${reason}`);
    this.name = 'IndexWorkerError';
    this.code = code;
    this.reason = reason;
  }
}

interface Pending {
  resolve: (value: IndexReply) => void;
  reject: (err: Error) => void;
}

/**
 * Owns the worker thread that holds every FAISS index, so searches never run on the event loop
 * that serves requests. A crashed worker is replaced on the next request (its cache is lost;
 * searches then reload from the snapshot and Postgres).
 *
 * Several may run in one process: the FAISS binding keeps its classes per thread.
 */
export function createIndexWorkerClient(logger: Logger, options: IndexWorkerOptions): IndexWorkerClient {
  let worker: Worker | undefined;
  let seq = 0;
  let closed = false;
  const pending = new Map<number, Pending>();

  function failAll(err: Error): void {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  }

  function onEvent(event: WorkerEvent): void {
    if (event.event === 'snapshot_failed') logger.warn(event, 'index snapshot failed');
    else if (event.event === 'rebuild_failed')
      logger.warn(event, 'index rebuild failed; it is reloaded when next searched');
    else logger.debug(event, `index ${event.event}`);
  }

  function spawn(): Worker {
    useFaissThreads(options.threads);
    const w = new Worker(new URL('./index-worker.ts', import.meta.url), { workerData: options });
    w.on('message', (envelope: WorkerEnvelope<IndexReply> & { event?: WorkerEvent }) => {
      if (envelope.event) return onEvent(envelope.event);
      const p = pending.get(envelope.seq);
      if (!p) return;
      pending.delete(envelope.seq);
      if (envelope.ok && envelope.value) p.resolve(envelope.value);
      else p.reject(new IndexWorkerError(envelope.error ?? 'unknown error', envelope.code));
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
    request<R extends IndexReply>(request: IndexRequest, transfer: ArrayBuffer[] = []): Promise<R> {
      if (closed) return Promise.reject(new ServiceUnavailableError('the vector API is shutting down'));
      worker ??= spawn();
      const id = ++seq;
      const target = worker;
      return new Promise<R>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: IndexReply) => void, reject });
        target.postMessage({ seq: id, request }, transfer);
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
