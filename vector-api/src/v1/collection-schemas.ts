import { z } from 'zod';
import type { VectorApiLimits } from '../config.ts';
import type { SchemaFields } from './schema-fields.ts';

/** The shapes of `/v1/collections` and `/v1/collections/:name`. */
export function createCollectionSchemas({ collectionName, metric }: SchemaFields, limits: VectorApiLimits) {
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
  const collectionParams = z.object({ name: collectionName }).strict();
  const collection = z.object({
    name: collectionName,
    dimension: z.number().int(),
    metric,
    count: z.number().int().describe('Number of vectors.'),
    version: z.number().int().describe('Goes up by one with every committed write.'),
    created_at: z.string().describe('ISO 8601 time.'),
  });
  const collectionList = z.object({ collections: z.array(collection) });
  const amount = (what: string) =>
    z.object({
      used: z.number().int().describe(`${what} stored now.`),
      limit: z
        .number()
        .int()
        .describe(`The most ${what.toLowerCase()} you may store (your quota through this client).`),
    });
  const usage = z.object({
    collections: amount('Collections'),
    vectors: amount('Vectors'),
    bytes: amount('Bytes (of the stored, encrypted vectors and metadata)'),
  });
  return { createCollection, collectionParams, collection, collectionList, usage };
}
