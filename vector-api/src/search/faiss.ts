import { faissBinding, type NativeFaissIndex } from './faiss-binding.ts';

/**
 * The only module that touches the FAISS binding. Labels are insertion positions (no add_with_ids).
 * A flat index is exact; an HNSW one is a graph over the same flat vectors, searched approximately
 * (or exactly, by scanning them), and cannot remove vectors (its owner masks them instead).
 */
export interface FaissIndex {
  readonly dimension: number;
  readonly kind: IndexKind;
  size(): number;
  /** Native bytes held (vectors, and an HNSW index's graph). */
  bytes(): number;
  /**
   * For an index of `HUGE_PAGES_FROM` bytes or more: asks the kernel to hold its vectors and graph
   * in 2 MiB pages (MADV_HUGEPAGE, then MADV_COLLAPSE: ~1.5 ms per MiB, once). A walk of a large
   * graph reads vectors all over memory, and with 4 KiB pages nearly each is a TLB miss: measured
   * on 150k-200k x 384 graphs here, a search took 15-45% less. Vectors added later, into storage
   * that grew, are on ordinary pages until the next build or load. Advice only; 0 when not taken.
   */
  adviseHugePages(): number;
  add(vectors: Float32Array): void;
  /** Removes these positions; later positions shift down, order is kept. Flat indexes only. */
  remove(labels: readonly number[]): void;
  /**
   * nq queries; per query up to k (label, distance) pairs, best first, missing slots dropped.
   * With `only` (a bitmap over labels), only those labels are candidates. A flat index is always
   * exact; an HNSW index walks its graph with `ef` candidates unless `exact` asks for a scan.
   * Distances are computed again in double precision by the binding, so they do not depend on the
   * batch a query was in or on how the index was built (see faiss-binding.cc `rescore`).
   */
  search(
    queries: Float32Array,
    k: number,
    only?: Uint8Array,
    options?: { ef?: number; exact?: boolean },
  ): { labels: number[]; distances: number[] }[];
  /** The stored vectors at these labels, row-major. */
  vectorsAt(labels: readonly number[]): Float32Array;
  /** FAISS's own serialization of the index (what `deserializeIndex` reads back). */
  serialize(): Buffer;
  /** Writes the index to a file with FAISS's `write_index` (what `readFaissIndexFile` reads). */
  writeFile(path: string): void;
  /** Frees the native index now instead of at garbage collection; the index is unusable after. */
  dispose(): void;
}

/** `l2`: squared Euclidean distance; `ip`: inner product (cosine = ip over unit vectors). */
export type IndexMetric = 'l2' | 'ip';

export type IndexKind = 'flat' | 'hnsw';

/** An HNSW graph's shape: links per node, and candidates kept while inserting. */
export interface HnswShape {
  m: number;
  efConstruction: number;
}

/** What an index file holds, for importing it: vectors row-major, FAISS ids when it had an id map. */
export interface FaissIndexContents {
  metric: IndexMetric;
  dimension: number;
  count: number;
  vectors: Float32Array;
  /** From an IndexIDMap (`IxMp`/`IxM2`); null for a bare flat index, whose ids are positions. */
  ids: bigint[] | null;
}

/** Below this, 4 KiB pages' TLB reach covers much of an index and collapsing is not worth its copy. */
export const HUGE_PAGES_FROM = 32 * 1024 * 1024;

const METRIC_INNER_PRODUCT = 0;
const METRIC_L2 = 1;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** fourcc, d (i32), ntotal (i64), two unused i64, is_trained (u8), metric_type (i32). */
const HEADER_BYTES = 4 + 4 + 8 + 8 + 8 + 1 + 4;

function wrap(index: NativeFaissIndex, dimension: number): FaissIndex {
  return {
    dimension,
    kind: index.kind(),
    size: () => index.size(),
    bytes: () => index.bytes(),
    adviseHugePages: () => (index.bytes() >= HUGE_PAGES_FROM ? index.hugePages() : 0),
    add(vectors) {
      if (vectors.length > 0) index.add(vectors);
    },
    remove(labels) {
      if (labels.length > 0) index.removePositions(labels);
    },
    search(queries, k, only, options) {
      const nq = queries.length / dimension;
      const kk = Math.min(k, index.size());
      if (kk <= 0) return Array.from({ length: nq }, () => ({ labels: [], distances: [] }));
      const raw = index.search(queries, kk, only, options?.ef ?? 0, options?.exact ?? false);
      return Array.from({ length: nq }, (_, q) => {
        const labels: number[] = [];
        const distances: number[] = [];
        for (let j = q * kk; j < (q + 1) * kk; j++) {
          const label = raw.labels[j] as number;
          if (label < 0) continue;
          labels.push(label);
          distances.push(raw.distances[j] as number);
        }
        return { labels, distances };
      });
    },
    vectorsAt: (labels) => index.vectorsAt(Float64Array.from(labels)),
    serialize: () => index.serialize(),
    writeFile: (path) => index.writeFile(path),
    dispose: () => index.dispose(),
  };
}

/** A flat (exact) index, holding `vectors` (row-major) from the start. */
export function createFlatIndex(metric: IndexMetric, dimension: number, vectors?: Float32Array): FaissIndex {
  if (vectors && vectors.length % dimension !== 0)
    throw new Error('vectors do not divide into the dimension');
  const index = faissBinding().FaissIndex.create(dimension, metric);
  if (vectors && vectors.length > 0) index.add(vectors);
  return wrap(index, dimension);
}

/** An HNSW index (over flat vectors) holding `vectors` (row-major) from the start. */
export function createHnswIndex(
  metric: IndexMetric,
  dimension: number,
  shape: HnswShape,
  vectors?: Float32Array,
): FaissIndex {
  if (vectors && vectors.length % dimension !== 0)
    throw new Error('vectors do not divide into the dimension');
  const index = faissBinding().FaissIndex.createHnsw(dimension, metric, shape.m, shape.efConstruction);
  if (vectors && vectors.length > 0) index.add(vectors);
  return wrap(index, dimension);
}

/**
 * Reads back what `FaissIndex.serialize` wrote; refuses anything but a flat index (IxF2 / IxFI) or
 * an HNSW one over flat vectors (IHNf) of that metric and dimension.
 */
export function deserializeIndex(buffer: Buffer, metric: IndexMetric, dimension: number): FaissIndex {
  const header = readHeader(buffer, 0);
  const flat = metric === 'l2' ? 'IxF2' : 'IxFI';
  const metricType = metric === 'l2' ? METRIC_L2 : METRIC_INNER_PRODUCT;
  const hnsw = header.fourcc === 'IHNf' && header.metricType === metricType;
  if ((header.fourcc !== flat && !hnsw) || header.dimension !== dimension) {
    throw new Error(`expected a ${flat} or IHNf (${metric}) index of dimension ${dimension}`);
  }
  return wrap(faissBinding().FaissIndex.deserialize(buffer), dimension);
}

/**
 * Reads a FAISS index file (`faiss.write_index`, faiss-node's `write`) for importing it: a flat
 * index (IndexFlatL2 / IndexFlatIP) or an IndexIDMap around one. Other kinds (HNSW, IVF, PQ) do not
 * keep the original vectors, or keep them in a layout not read here, and are refused by name.
 */
export function readFaissIndexFile(path: string): FaissIndexContents {
  let buffer: Buffer;
  try {
    const index = faissBinding().FaissIndex.readFile(path);
    buffer = index.serialize();
    index.dispose();
  } catch (err) {
    throw new Error(`cannot read a FAISS index from ${path}: ${err instanceof Error ? err.message : err}`);
  }
  const outer = readHeader(buffer, 0);
  if (outer.fourcc === 'IxMp' || outer.fourcc === 'IxM2') {
    const inner = readFlat(buffer, outer.end);
    const size = Number(buffer.readBigUInt64LE(inner.end));
    if (size !== inner.count) throw new Error('the id map does not match the number of vectors');
    const ids = Array.from({ length: size }, (_, i) => buffer.readBigInt64LE(inner.end + 8 + i * 8));
    return { ...inner.contents, ids };
  }
  return readFlat(buffer, 0).contents;
}

interface Header {
  fourcc: string;
  dimension: number;
  count: number;
  metricType: number;
  end: number;
}

function readHeader(buffer: Buffer, at: number): Header {
  if (buffer.length < at + HEADER_BYTES) throw new Error('truncated FAISS index');
  const metricType = buffer.readInt32LE(at + 33);
  return {
    fourcc: buffer.toString('latin1', at, at + 4),
    dimension: buffer.readInt32LE(at + 4),
    count: Number(buffer.readBigInt64LE(at + 8)),
    metricType,
    end: at + HEADER_BYTES + (metricType > 1 ? 4 : 0),
  };
}

function readFlat(buffer: Buffer, at: number): { contents: FaissIndexContents; count: number; end: number } {
  const header = readHeader(buffer, at);
  if (header.fourcc !== 'IxF2' && header.fourcc !== 'IxFI' && header.fourcc !== 'IxFl') {
    throw new Error(
      `only flat indexes (IndexFlatL2, IndexFlatIP, optionally inside an IndexIDMap) can be imported; this one is "${header.fourcc}"`,
    );
  }
  const metric =
    header.metricType === METRIC_L2 ? 'l2' : header.metricType === METRIC_INNER_PRODUCT ? 'ip' : null;
  if (!metric)
    throw new Error(`unsupported FAISS metric type ${header.metricType} (only L2 and inner product)`);
  const floats = Number(buffer.readBigUInt64LE(header.end));
  const start = header.end + 8;
  if (floats !== header.count * header.dimension || buffer.length < start + floats * 4) {
    throw new Error('the flat index is truncated');
  }
  const vectors = new Float32Array(floats);
  if (LITTLE_ENDIAN) new Uint8Array(vectors.buffer).set(buffer.subarray(start, start + floats * 4));
  else for (let i = 0; i < floats; i++) vectors[i] = buffer.readFloatLE(start + i * 4);
  return {
    contents: { metric, dimension: header.dimension, count: header.count, vectors, ids: null },
    count: header.count,
    end: start + floats * 4,
  };
}
