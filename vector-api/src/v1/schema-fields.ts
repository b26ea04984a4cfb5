import { z } from 'zod';
import type { VectorApiLimits } from '../config.ts';
import { INDEX_LIMITS } from '../store/index-settings.ts';
import { METRICS } from '../store/metric.ts';
import { NAME_PATTERN } from '../store/name-pattern.ts';
import { createVectorField } from './vector-field.ts';

const MAX_METADATA_DEPTH = 32;

/** The fields that several Vector API v1 shapes share: names, the metric, a vector, its metadata. */
export function createSchemaFields(limits: VectorApiLimits) {
  const name = z.string().regex(new RegExp(NAME_PATTERN), { message: `must match ${NAME_PATTERN}` });
  const collectionName = name.describe('Collection name, unique per principal.');
  const vectorId = name.describe('Vector id, unique within its collection.');
  const metric = z
    .enum(METRICS)
    .describe(
      'l2: squared Euclidean distance; ip: inner product; cosine: cosine similarity (vectors are normalized).',
    );
  const vector = createVectorField(
    limits.maxDimension,
    "The vector's values; exactly the collection's dimension, finite float32 numbers.",
  );
  const metadata = z
    .record(z.string(), z.unknown(), { error: 'must be a JSON object' })
    // Depth first, without recursion: anything recursive (JSON.stringify too) must never see a
    // hostile nesting that would exhaust the stack.
    .refine((m) => nestingWithin(m, MAX_METADATA_DEPTH), {
      message: `must be nested at most ${MAX_METADATA_DEPTH} levels deep`,
      abort: true,
    })
    .refine((m) => Buffer.byteLength(JSON.stringify(m), 'utf8') <= limits.maxMetadataBytes, {
      message: `must be at most ${limits.maxMetadataBytes} bytes as JSON`,
    })
    .describe(`Any JSON object of at most ${limits.maxMetadataBytes} bytes, returned with search results.`);
  /** HNSW candidates while searching: a collection's setting, and a search's own. */
  const efSearch = z.number().int().min(INDEX_LIMITS.efSearch.min).max(INDEX_LIMITS.efSearch.max);
  return { collectionName, vectorId, metric, vector, metadata, efSearch };
}

export type SchemaFields = ReturnType<typeof createSchemaFields>;

/** Whether objects and arrays in `value` nest at most `max` levels (iterative: no stack to exhaust). */
function nestingWithin(value: unknown, max: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return false;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return true;
}
