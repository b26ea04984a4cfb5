import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The vector API's own N-API binding to Debian's libfaiss (vector-api/native/faiss-binding.cc),
 * compiled by scripts/bootstrap.sh. It replaces faiss-node, which leaks the query copy of every
 * search and the buffer of every serialization. Loaded once per thread that asks for it; only the
 * index worker (and import/bench scripts) ever do.
 */
export interface NativeFaissIndex {
  dimension(): number;
  size(): number;
  /** Row-major; a whole number of rows. */
  add(vectors: Float32Array): void;
  /** Removes these positions; later ones shift down. Returns how many were removed (flat only). */
  removePositions(labels: Float64Array | readonly number[]): number;
  /**
   * nq x k distances and labels (-1 where fewer than k were found), rescored in double precision.
   * With `only`, a bitmap over positions (bit i % 8 of byte i / 8), only those are candidates.
   */
  search(
    queries: Float32Array,
    k: number,
    only?: Uint8Array,
    /** HNSW: the candidate list's length (at least k + 8 is used); 0 or absent: that minimum. */
    ef?: number,
    /** HNSW: scan the stored vectors instead of walking the graph (exact). */
    exact?: boolean,
  ): { distances: Float32Array; labels: Float64Array };
  kind(): 'flat' | 'hnsw';
  /** Native bytes held: the vectors, and an HNSW index's graph. */
  bytes(): number;
  /** Advises the vectors (and a graph's neighbour lists) onto 2 MiB pages; the bytes advised. */
  hugePages(): number;
  /** The stored vectors at these positions, row-major. */
  vectorsAt(labels: Float64Array): Float32Array;
  serialize(): Buffer;
  writeFile(path: string): void;
  /** Frees the index now; any later call throws. */
  dispose(): void;
}

export interface FaissBinding {
  FaissIndex: {
    /** `description` is a FAISS index-factory string ("Flat" unless given). */
    create(dimension: number, metric: 'l2' | 'ip', description?: string): NativeFaissIndex;
    /** An HNSW graph (M links per node, efConstruction candidates while inserting) over flat vectors. */
    createHnsw(dimension: number, metric: 'l2' | 'ip', m: number, efConstruction: number): NativeFaissIndex;
    deserialize(buffer: Uint8Array): NativeFaissIndex;
    readFile(path: string): NativeFaissIndex;
  };
  /** OpenMP threads for this thread's FAISS calls, and OpenBLAS's pool. */
  setThreads(threads: number): void;
  /**
   * From how many queries per call a flat index computes with BLAS, for inner product and for L2
   * indexes (`l2` defaults to `ip`; process-wide; FAISS: 20).
   */
  setBlasThreshold(ip: number, l2?: number): void;
}

export const FAISS_BINDING_PATH = fileURLToPath(
  new URL('../../native/build/Release/vectorauth_faiss.node', import.meta.url),
);

let binding: FaissBinding | undefined;

export function faissBinding(): FaissBinding {
  if (binding) return binding;
  if (!existsSync(FAISS_BINDING_PATH)) {
    throw new Error(`the FAISS binding is not built (${FAISS_BINDING_PATH}): run scripts/bootstrap.sh`);
  }
  binding = createRequire(import.meta.url)(FAISS_BINDING_PATH) as FaissBinding;
  return binding;
}
