import { z } from 'zod';
import type { VectorApiLimits } from '../config.ts';
import { createCollectionSchemas } from './collection-schemas.ts';
import { createSchemaFields } from './schema-fields.ts';
import { createSearchSchemas } from './search-schemas.ts';
import { createVectorItemSchemas } from './vector-item-schemas.ts';

/**
 * Every request and response shape of Vector API v1. The same schemas validate requests and
 * generate `/openapi.json`, so the document cannot drift from the code.
 */
export function createVectorSchemas(limits: VectorApiLimits) {
  const fields = createSchemaFields(limits);
  const collections = createCollectionSchemas(fields, limits);
  const vectors = createVectorItemSchemas(fields, limits);
  const searches = createSearchSchemas(fields, limits);
  const principalParams = z
    .object({
      sub: z
        .string()
        .min(1, { message: 'must not be empty' })
        .max(255, { message: 'must be at most 255 characters' })
        .describe('The principal (the `sub` of its access tokens), URL-encoded.'),
    })
    .strict();
  const error = z.object({
    error: z.string().describe('Stable machine code, e.g. invalid_request, invalid_token, not_found.'),
    message: z.string().describe('A human sentence naming what is wrong.'),
  });

  return {
    createCollection: collections.createCollection,
    upsertVectors: vectors.upsertVectors,
    search: searches.search,
    collectionParams: collections.collectionParams,
    vectorParams: vectors.vectorParams,
    getQuery: vectors.getQuery,
    principalParams,
    collection: collections.collection,
    collectionList: collections.collectionList,
    usage: collections.usage,
    upsertResult: vectors.upsertResult,
    storedVector: vectors.storedVector,
    listQuery: vectors.listQuery,
    vectorList: vectors.vectorList,
    searchResults: searches.searchResults,
    count: searches.count,
    countResult: searches.countResult,
    error,
  };
}

export type VectorSchemas = ReturnType<typeof createVectorSchemas>;
