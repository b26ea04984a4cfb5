import type { EntityManager } from '@mikro-orm/postgresql';
import type { VectorApiLimits } from '../config.ts';
import type { FaissIndexContents } from '../search/faiss.ts';
import { prepareVector } from '../search/prepare-vector.ts';
import type { Collection } from './collection.ts';
import { CollectionCache } from './collection-cache.ts';
import { createCollectionRepository } from './collection-repository.ts';
import type { CollectionVersions } from './collection-versions.ts';
import type { Encryption } from './encryption.ts';
import type { Metric } from './metric.ts';
import { NAME_PATTERN } from './name-pattern.ts';
import type { Metadata } from './record-codec.ts';
import { createRecordRepository, type VectorInput } from './record-repository.ts';

export interface ImportFaissOptions {
  em: EntityManager;
  encryption: Encryption;
  /**
   * Where the imported version is published for the running instances' collection caches (see
   * `collection-versions.ts`); without it, instances that cached the collection keep answering
   * from the version before the import (only for a database no running service reads).
   */
  versions?: CollectionVersions;
  principal: string;
  collection: string;
  /** What `readFaissIndexFile` read. */
  contents: FaissIndexContents;
  /**
   * Parsed metadata file: an array aligned with the index positions (an object or null each), or
   * an object whose keys are positions ("0", "1", ...) or, for an IndexIDMap, FAISS ids.
   */
  metadata?: unknown;
  /** Take each vector's id from this metadata field instead of its FAISS id or position. */
  idField?: string;
  limits: Pick<VectorApiLimits, 'maxDimension' | 'maxMetadataBytes'>;
  onProgress?(written: number, total: number): void;
}

export interface ImportResult {
  collection: Collection;
  created: boolean;
  imported: number;
  version: number;
}

/** Refused before anything is written; the message says what to fix. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

const NAME = new RegExp(NAME_PATTERN);

/**
 * Moves an existing single-user FAISS index (and its metadata) into a principal's encrypted
 * collection: created with the index's metric when missing (L2 -> l2, inner product -> ip),
 * otherwise checked for the same dimension and a compatible metric (an ip index also fits a
 * cosine collection; its vectors are normalized). Everything is checked first, then written in
 * one transaction as one collection version: all of it is imported, or nothing.
 */
export async function importFaissIndex(options: ImportFaissOptions): Promise<ImportResult> {
  const { contents, limits } = options;
  if (!NAME.test(options.collection)) throw new ImportError(`collection name must match ${NAME_PATTERN}`);
  if (contents.dimension < 1 || contents.dimension > limits.maxDimension) {
    throw new ImportError(
      `the index has dimension ${contents.dimension}; at most ${limits.maxDimension} is allowed`,
    );
  }
  const metadata = alignMetadata(options.metadata, contents, limits.maxMetadataBytes);
  const ids = vectorIds(contents, metadata, options.idField);

  return options.em.transactional(async (tem) => {
    const collections = createCollectionRepository(tem);
    let collection = await collections.find(options.principal, options.collection);
    const created = !collection;
    if (!collection) {
      collection = await collections.create(options.principal, {
        name: options.collection,
        dimension: contents.dimension,
        metric: contents.metric,
      });
    }
    checkCompatible(collection, contents);
    const inputs: VectorInput[] = ids.map((id, i) => ({
      id,
      vector: prepareVector(
        Array.from(contents.vectors.subarray(i * contents.dimension, (i + 1) * contents.dimension)),
        collection.dimension,
        collection.metric,
        `vector ${i}`,
      ),
      metadata: metadata[i] ?? null,
    }));
    const records = createRecordRepository(
      tem,
      options.encryption,
      options.versions ? { versions: options.versions, cache: new CollectionCache(1) } : undefined,
    );
    const version = await records.upsert(collection, inputs, {
      onProgress: (written) => options.onProgress?.(written, inputs.length),
    });
    return { collection: { ...collection, version }, created, imported: inputs.length, version };
  });
}

function checkCompatible(collection: Collection, contents: FaissIndexContents): void {
  if (collection.dimension !== contents.dimension) {
    throw new ImportError(
      `dimension mismatch: collection "${collection.name}" has dimension ${collection.dimension}, the index ${contents.dimension}`,
    );
  }
  const fits: Record<Metric, FaissIndexContents['metric']> = { l2: 'l2', ip: 'ip', cosine: 'ip' };
  if (fits[collection.metric] !== contents.metric) {
    throw new ImportError(
      `metric mismatch: collection "${collection.name}" uses ${collection.metric}, the index ${contents.metric}`,
    );
  }
}

/** Metadata per index position, from an aligned array or an object keyed by position or FAISS id. */
export function alignMetadata(
  input: unknown,
  contents: Pick<FaissIndexContents, 'count' | 'ids'>,
  maxBytes: number,
): (Metadata | null)[] {
  const out: (Metadata | null)[] = new Array(contents.count).fill(null);
  if (input === undefined || input === null) return out;
  const check = (value: unknown, where: string): Metadata | null => {
    if (value === null) return null;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new ImportError(`metadata ${where} must be a JSON object or null`);
    }
    if (Buffer.byteLength(JSON.stringify(value), 'utf8') > maxBytes) {
      throw new ImportError(`metadata ${where} is larger than ${maxBytes} bytes`);
    }
    return value as Metadata;
  };
  if (Array.isArray(input)) {
    if (input.length !== contents.count) {
      throw new ImportError(
        `the metadata array has ${input.length} entries; the index holds ${contents.count} vectors`,
      );
    }
    input.forEach((value, i) => {
      out[i] = check(value, `[${i}]`);
    });
    return out;
  }
  if (typeof input !== 'object') throw new ImportError('the metadata file must hold a JSON array or object');
  const positionOf = new Map<string, number>();
  for (const [i, id] of (contents.ids ?? []).entries()) positionOf.set(String(id), i);
  for (const [key, value] of Object.entries(input)) {
    const position = contents.ids
      ? positionOf.get(key)
      : /^(0|[1-9]\d*)$/.test(key)
        ? Number(key)
        : undefined;
    if (position === undefined || position >= contents.count) {
      throw new ImportError(`metadata key "${key}" names no vector of the index`);
    }
    out[position] = check(value, `"${key}"`);
  }
  return out;
}

/** Vector ids: a metadata field, else the FAISS ids of an IndexIDMap, else positions ("0", "1", ...). */
export function vectorIds(
  contents: Pick<FaissIndexContents, 'count' | 'ids'>,
  metadata: readonly (Metadata | null)[],
  idField?: string,
): string[] {
  const ids = Array.from({ length: contents.count }, (_, i) => {
    if (idField) {
      const value = metadata[i]?.[idField];
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new ImportError(`vector ${i} has no "${idField}" in its metadata`);
      }
      return String(value);
    }
    return String(contents.ids ? contents.ids[i] : i);
  });
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (!NAME.test(id)) throw new ImportError(`vector ${i}: id "${id}" must match ${NAME_PATTERN}`);
    if (seen.has(id)) throw new ImportError(`vector ${i}: id "${id}" appears twice`);
    seen.add(id);
  });
  return ids;
}
