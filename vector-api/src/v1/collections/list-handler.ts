import { InvalidRequestError, parseInput } from '@vectorauth/shared';
import { compileMetadataFilter, parseMetadataFilter } from '../../search/metadata-filter.ts';
import { NAME_PATTERN } from '../../store/name-pattern.ts';
import type { StoredVector } from '../../store/record-repository.ts';
import type { VectorSchemas } from '../vector-schemas.ts';
import type { V1Context } from '../vector-state.ts';
import { findCollection } from './find-collection.ts';

/** Rows read (and opened) for one filtered page at most: a selective filter returns a short page. */
const SCAN_CAP = 10_000;
const CURSOR_VERSION = 1;
const ID = new RegExp(NAME_PATTERN);

/** The opaque cursor: where the next page starts (after this id). */
const encodeCursor = (after: string) =>
  Buffer.from(JSON.stringify({ v: CURSOR_VERSION, after }), 'utf8').toString('base64url');

function decodeCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      (parsed as { v?: unknown }).v === CURSOR_VERSION &&
      typeof (parsed as { after?: unknown }).after === 'string' &&
      // Only a vector id could have been written there (never text Postgres would refuse).
      ID.test((parsed as { after: string }).after)
    ) {
      return (parsed as { after: string }).after;
    }
  } catch {
    // refused below
  }
  throw new InvalidRequestError('cursor: is not a cursor this API gave (pass next_cursor as it came)');
}

function filterOf(text: string | undefined) {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidRequestError('filter: must be a JSON object (URL-encoded)');
  }
  return compileMetadataFilter(parseMetadataFilter(parsed));
}

/**
 * GET /v1/collections/:name/vectors?limit=&cursor=&filter=: the collection's vectors in id order,
 * `limit` at a time, with `next_cursor` while there are more. Pages follow the primary key, so
 * each vector that lives through the whole listing appears exactly once, whatever is written
 * meanwhile. With a filter (JSON, URL-encoded) a page holds the matching vectors among at most
 * 10,000 read: it may be short, even empty, with a `next_cursor` to go on from.
 */
export function createListHandler(schemas: VectorSchemas) {
  return async function listVectors(ctx: V1Context): Promise<void> {
    const { name } = parseInput(schemas.collectionParams, ctx.params, 'path');
    const query = parseInput(schemas.listQuery, ctx.query, 'query');
    const matches = filterOf(query.filter);
    let after = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const collection = await findCollection(ctx.state, name);
    const page: StoredVector[] = [];
    let more = false;
    if (!matches) {
      const rows = await ctx.state.records.page(collection, after, query.limit + 1);
      more = rows.length > query.limit;
      page.push(...rows.slice(0, query.limit));
    } else {
      const batch = Math.min(1000, Math.max(query.limit, 100));
      for (let scanned = 0; scanned < SCAN_CAP && page.length < query.limit; ) {
        const rows = await ctx.state.records.page(collection, after, batch);
        scanned += rows.length;
        for (const row of rows) {
          after = row.id;
          if (!matches(row.metadata)) continue;
          page.push(row);
          if (page.length === query.limit) break;
        }
        more = rows.length === batch || page.length === query.limit;
        if (rows.length < batch) break;
      }
    }
    const last = matches ? after : page.at(-1)?.id;
    ctx.body = {
      vectors: page.map((v) => ({ id: v.id, metadata: v.metadata })),
      ...(more && last ? { next_cursor: encodeCursor(last) } : {}),
    };
  };
}
