import { openApiSchema } from '@vectorauth/shared';
import { z } from 'zod';
import type { VectorApiLimits } from '../config.ts';
import { FILTER_LIMITS } from '../search/metadata-filter.ts';
import type { SchemaFields } from './schema-fields.ts';

/** The most queries one batch search may hold (they go to FAISS in one call). */
export const MAX_QUERIES = 64;

const FILTER_DESCRIPTION = [
  'Only vectors whose metadata match are searched (exactly: k results whenever k match).',
  'Fields side by side are and-ed; a bare value means $eq; operators $eq $ne $in $nin $gt $gte $lt $lte',
  '$exists, and $and / $or (lists) and $not (one filter) at any level. A field may be a dotted path',
  'into nested objects. Ranges compare numbers, or ISO 8601 dates by time. A list in the metadata',
  'matches $eq/$in/ranges when any element does; $ne/$nin match where $eq/$in do not, missing fields',
  `included. At most ${FILTER_LIMITS.nodes} conditions, ${FILTER_LIMITS.depth} levels deep,`,
  `${FILTER_LIMITS.inValues} values in one $in/$nin. Example: {"tag": {"$eq": "red"}, "n": {"$gte": 100, "$lt": 400}}`,
].join(' ');

/** The shapes of `/v1/collections/:name/search` and `/count`. */
export function createSearchSchemas(
  { vectorId, vector, efSearch: efSearchField }: SchemaFields,
  limits: VectorApiLimits,
) {
  const filter = z.record(z.string(), z.unknown()).describe(FILTER_DESCRIPTION);
  const queries = z
    .array(vector)
    .min(1)
    .max(MAX_QUERIES)
    .describe(`Several query vectors at once (at most ${MAX_QUERIES}), answered in one FAISS call.`);
  const k = z.number().int().min(1).max(limits.maxK).describe('How many results at most, per query.');
  const include = z
    .array(z.enum(['metadata', 'vector']))
    .max(2)
    .describe(
      'What each hit carries besides id and score; default ["metadata"]. The vector is as stored (unit length under cosine).',
    );
  const efSearch = efSearchField.describe(
    "HNSW candidates for this search (the collection's ef_search otherwise): higher finds better and costs time. Flat collections ignore it.",
  );
  // Documented as the two forms it takes (one query, or several); checked as one object, so that
  // a mistake is named field by field rather than as "no form matched".
  const documented = z.union([
    z
      .object({
        vector,
        k,
        filter: filter.optional(),
        include: include.optional(),
        ef_search: efSearch.optional(),
      })
      .strict(),
    z
      .object({
        queries,
        k,
        filter: filter.optional(),
        include: include.optional(),
        ef_search: efSearch.optional(),
      })
      .strict(),
  ]);
  const search = z
    .object({
      vector: vector.optional(),
      queries: queries.optional(),
      k,
      filter: filter.optional(),
      include: include.optional(),
      ef_search: efSearch.optional(),
    })
    .strict()
    .superRefine((body, ctx) => {
      if ((body.vector === undefined) === (body.queries === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'give either `vector` or `queries` (a list of vectors)' });
      }
    })
    .meta(openApiSchema(documented));
  const hit = z.object({
    id: vectorId,
    score: z
      .number()
      .describe(
        'l2: squared Euclidean distance, lower is better; ip: inner product, higher is better; cosine: cosine similarity in [-1, 1], higher is better.',
      ),
    metadata: z
      .record(z.string(), z.unknown())
      .nullable()
      .optional()
      .describe('Unless `include` leaves it out.'),
    vector: z.array(z.number()).optional().describe('When `include` asks for it.'),
  });
  const searchResults = z.object({
    results: z
      .union([z.array(hit), z.array(z.array(hit))])
      .describe(
        'For `vector`: the hits, best first, fewer than k when fewer vectors match. For `queries`: one such list per query, in query order.',
      ),
  });
  const count = z.object({ filter: filter.optional() }).strict();
  const countResult = z.object({
    count: z.number().int().describe('Vectors in the collection, or matching `filter`.'),
  });
  return { search, searchResults, count, countResult };
}
