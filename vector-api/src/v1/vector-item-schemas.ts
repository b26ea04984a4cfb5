import { z } from 'zod';
import type { VectorApiLimits } from '../config.ts';
import type { SchemaFields } from './schema-fields.ts';

/** The shapes of `/v1/collections/:name/vectors` and `/v1/collections/:name/vectors/:id`. */
export function createVectorItemSchemas(
  { collectionName, vectorId, vector, metadata }: SchemaFields,
  limits: VectorApiLimits,
) {
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
  const vectorParams = z.object({ name: collectionName, id: vectorId }).strict();
  const getQuery = z
    .object({
      include: z
        .string()
        .regex(/^(?:metadata|vector)(?:,(?:metadata|vector))?$/, {
          message: 'must be "metadata", "vector" or both, comma-separated',
        })
        .optional()
        .describe(
          'What to return besides the id: "metadata", "vector" or both (the default), comma-separated.',
        ),
    })
    .strict();
  const upsertResult = z.object({ upserted: z.number().int(), version: z.number().int() });
  const storedVector = z.object({
    id: vectorId,
    vector: z.array(z.number()).optional().describe('As stored: float32 values, unit length under cosine.'),
    metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  });
  const listQuery = z
    .object({
      limit: z.coerce
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(100)
        .describe('Vectors per page (1 to 1000, default 100).'),
      cursor: z.string().max(4096).optional().describe('`next_cursor` of the previous page, as it came.'),
      filter: z
        .string()
        .max(64 * 1024)
        .optional()
        .describe('A metadata filter as on search, as URL-encoded JSON: only matching vectors are listed.'),
    })
    .strict();
  const vectorList = z.object({
    vectors: z.array(z.object({ id: vectorId, metadata: z.record(z.string(), z.unknown()).nullable() })),
    next_cursor: z
      .string()
      .optional()
      .describe(
        'Where the next page starts; absent on the last page. A vector that exists for the whole listing is on exactly one page.',
      ),
  });
  return { upsertVectors, vectorParams, getQuery, upsertResult, storedVector, listQuery, vectorList };
}
