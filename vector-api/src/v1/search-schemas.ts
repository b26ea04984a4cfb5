import { z } from 'zod';
import type { VectorApiLimits } from '../config.ts';
import type { SchemaFields } from './schema-fields.ts';

/** The shapes of `/v1/collections/:name/search`. */
export function createSearchSchemas({ vectorId, vector }: SchemaFields, limits: VectorApiLimits) {
  const search = z
    .object({
      vector,
      k: z.number().int().min(1).max(limits.maxK).describe('How many results at most.'),
    })
    .strict();
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
  return { search, searchResults };
}
