import { z } from 'zod';
import type { VectorApiLimits } from '../config.ts';
import {
  AUTO_HNSW_FROM,
  DEFAULT_INDEX_SETTINGS,
  INDEX_LIMITS,
  INDEX_TYPES,
} from '../store/index-settings.ts';
import type { SchemaFields } from './schema-fields.ts';

/** The shapes of `/v1/collections` and `/v1/collections/:name`. */
export function createCollectionSchemas(
  { collectionName, metric, efSearch: efSearchField }: SchemaFields,
  limits: VectorApiLimits,
) {
  const bounded = (name: keyof typeof INDEX_LIMITS, text: string) =>
    z
      .number()
      .int()
      .min(INDEX_LIMITS[name].min)
      .max(INDEX_LIMITS[name].max)
      .describe(`${text} Default ${DEFAULT_INDEX_SETTINGS[name]}.`);
  const type = z
    .enum(INDEX_TYPES)
    .describe(
      `flat: exact search, every vector scanned (best below ~${AUTO_HNSW_FROM.toLocaleString('en')} vectors); hnsw: approximate search through an HNSW graph (recall@10 >= 0.95 at the defaults, far faster on large collections, ~8 x m bytes more per vector); auto: flat below ${AUTO_HNSW_FROM.toLocaleString('en')} vectors, hnsw from then on. Default flat.`,
    );
  const m = bounded('m', 'HNSW links per vector: more finds better and costs memory.');
  const efConstruction = bounded(
    'efConstruction',
    'HNSW candidates while inserting: more builds slower and finds better.',
  );
  const efSearch = efSearchField.describe(
    `HNSW candidates while searching, unless a search gives its own \`ef_search\`. Default ${DEFAULT_INDEX_SETTINGS.efSearch}.`,
  );
  const indexInput = z
    .object({
      type: type.optional(),
      m: m.optional(),
      ef_construction: efConstruction.optional(),
      ef_search: efSearch.optional(),
    })
    .strict()
    .describe('How the collection is indexed for search; fixed when it is created.');
  const indexView = z.object({ type, m, ef_construction: efConstruction, ef_search: efSearch });
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
      index: indexInput.optional(),
    })
    .strict()
    .meta({
      examples: [
        { name: 'notes', dimension: 384, metric: 'cosine' },
        { name: 'memory', dimension: 384, metric: 'cosine', index: { type: 'hnsw', m: 16, ef_search: 100 } },
      ],
    });
  const collectionParams = z.object({ name: collectionName }).strict();
  const collection = z.object({
    name: collectionName,
    dimension: z.number().int(),
    metric,
    index: indexView,
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
