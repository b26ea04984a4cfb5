import { z } from 'zod';
import type { VectorApiLimits } from '../config.ts';
import { METRICS } from '../store/metric.ts';
import { NAME_PATTERN } from '../store/name-pattern.ts';

const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * Every request and response shape of Vector API v1. The same schemas validate requests and
 * generate `/openapi.json`, so the document cannot drift from the code.
 */
export function createVectorSchemas(limits: VectorApiLimits) {
  const name = z.string().regex(new RegExp(NAME_PATTERN), { message: `must match ${NAME_PATTERN}` });
  const collectionName = name.describe('Collection name, unique per principal.');
  const vectorId = name.describe('Vector id, unique within its collection.');
  const metric = z
    .enum(METRICS)
    .describe(
      'l2: squared Euclidean distance; ip: inner product; cosine: cosine similarity (vectors are normalized).',
    );
  const number = z
    .number({ error: 'must be a finite number' })
    .min(-FLOAT32_MAX, { message: 'is outside the float32 range' })
    .max(FLOAT32_MAX, { message: 'is outside the float32 range' });
  const vector = z
    .array(number, { error: 'must be an array of numbers' })
    .min(1, { message: 'must not be empty' })
    .max(limits.maxDimension, { message: `must have at most ${limits.maxDimension} numbers` })
    .describe("The vector's values; exactly the collection's dimension, finite float32 numbers.");
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

  const createCollection = z
    .object({
      name: collectionName,
      dimension: z
        .number()
        .int()
        .min(1)
        .max(limits.maxDimension)
        .describe('Number of values in each vector.'),
      metric,
    })
    .strict();

  const vectorItem = z.object({ id: vectorId, vector, metadata: metadata.optional() }).strict();
  const upsertVectors = z
    .object({
      vectors: z
        .array(vectorItem)
        .min(1, { message: 'must contain at least one vector' })
        .max(limits.maxBatch, { message: `must contain at most ${limits.maxBatch} vectors` })
        .superRefine((items, ctx) => {
          const seen = new Set<string>();
          items.forEach((item, i) => {
            if (seen.has(item.id))
              ctx.addIssue({
                code: 'custom',
                path: [i, 'id'],
                message: `duplicate id "${item.id}" in this batch`,
              });
            seen.add(item.id);
          });
        })
        .describe('Inserted, or replaced when the id exists; the whole batch is stored or none of it.'),
    })
    .strict();

  const search = z
    .object({
      vector,
      k: z.number().int().min(1).max(limits.maxK).describe('How many results at most.'),
    })
    .strict();

  const collectionParams = z.object({ name: collectionName }).strict();
  const vectorParams = z.object({ name: collectionName, id: vectorId }).strict();
  const principalParams = z
    .object({
      sub: z
        .string()
        .min(1, { message: 'must not be empty' })
        .max(255, { message: 'must be at most 255 characters' })
        .describe('The principal (the `sub` of its access tokens), URL-encoded.'),
    })
    .strict();

  const collection = z.object({
    name: collectionName,
    dimension: z.number().int(),
    metric,
    count: z.number().int().describe('Number of vectors.'),
    version: z.number().int().describe('Goes up by one with every committed write.'),
    created_at: z.string().describe('ISO 8601 time.'),
  });
  const collectionList = z.object({ collections: z.array(collection) });
  const upsertResult = z.object({ upserted: z.number().int(), version: z.number().int() });
  const storedVector = z.object({
    id: vectorId,
    vector: z.array(z.number()).describe('As stored: float32 values, unit length under cosine.'),
    metadata: z.record(z.string(), z.unknown()).nullable(),
  });
  const searchResults = z.object({
    results: z
      .array(
        z.object({
          id: vectorId,
          score: z
            .number()
            .describe(
              'l2: squared Euclidean distance, lower is better; ip: inner product, higher is better; cosine: cosine similarity in [-1, 1], higher is better.',
            ),
          metadata: z.record(z.string(), z.unknown()).nullable(),
        }),
      )
      .describe('Best first; fewer than k when the collection holds fewer vectors.'),
  });
  const error = z.object({
    error: z.string().describe('Stable machine code, e.g. invalid_request, invalid_token, not_found.'),
    message: z.string().describe('A human sentence naming what is wrong.'),
  });

  return {
    createCollection,
    upsertVectors,
    search,
    collectionParams,
    vectorParams,
    principalParams,
    collection,
    collectionList,
    upsertResult,
    storedVector,
    searchResults,
    error,
  };
}

export type VectorSchemas = ReturnType<typeof createVectorSchemas>;

const MAX_METADATA_DEPTH = 32;

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
