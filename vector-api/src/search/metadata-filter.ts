import { InvalidRequestError } from '@vectorauth/shared';
import type { Metadata } from '../store/record-codec.ts';

/**
 * Metadata filters in the operator style of Pinecone, MongoDB and Chroma:
 *
 *   {"tag": {"$eq": "red"}, "n": {"$gte": 100, "$lt": 400}}        fields side by side are and-ed
 *   {"$or": [{"tag": "red"}, {"n": {"$in": [1, 2]}}]}               a bare value means $eq
 *   {"$not": {"tag": {"$exists": true}}}
 *
 * Operators: `$eq $ne $in $nin $gt $gte $lt $lte $exists`, and `$and`/`$or` (non-empty lists) and
 * `$not` (one filter) at any level. A field is a top-level metadata key, or a dotted path into
 * nested objects (`"a.b"`). Matching follows MongoDB: a field holding a list matches `$eq`/`$in`
 * when any element does, and a range when any element is in it; `$ne`/`$nin` match exactly where
 * `$eq`/`$in` do not, a missing field included. Ranges compare numbers with numbers, and dates
 * (ISO 8601 strings, in the filter and in the metadata) by time; nothing else is in any range.
 *
 * `parseMetadataFilter` validates (a 400 naming the problem for anything else) and bounds the
 * filter; the parsed form is plain data, so it can cross to the index worker, where
 * `compileMetadataFilter` turns it into a predicate.
 */
export type Scalar = string | number | boolean | null;

export type FilterNode =
  | { and: FilterNode[] }
  | { or: FilterNode[] }
  | { not: FilterNode }
  | { field: string; op: '$eq' | '$ne'; value: Scalar }
  | { field: string; op: '$in' | '$nin'; values: Scalar[] }
  | { field: string; op: '$gt' | '$gte' | '$lt' | '$lte'; bound: number | string }
  | { field: string; op: '$exists'; exists: boolean };

export const FILTER_LIMITS = {
  /** Nesting of objects and lists, counted from the filter itself. */
  depth: 8,
  /** Conditions and combinators together. */
  nodes: 256,
  /** Values of one `$in` or `$nin`. */
  inValues: 1024,
  /** Characters of a field path or a string value. */
  chars: 1024,
} as const;

const RANGE = new Set(['$gt', '$gte', '$lt', '$lte']);
const OPERATORS = new Set(['$eq', '$ne', '$in', '$nin', '$exists', ...RANGE]);
/** A calendar date, or a date and time with an optional fraction and a zone (RFC 3339 / ISO 8601). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Milliseconds of an ISO 8601 date string, or undefined for anything else. */
export function isoTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Validates a filter from a request body; `where` names it in the 400 (e.g. "filter"). */
export function parseMetadataFilter(input: unknown, where = 'filter'): FilterNode {
  let nodes = 0;
  const fail = (path: string, problem: string): never => {
    throw new InvalidRequestError(`${path}: ${problem}`);
  };
  const count = () => {
    if (++nodes > FILTER_LIMITS.nodes) fail(where, `has more than ${FILTER_LIMITS.nodes} conditions`);
  };
  const scalar = (path: string, v: unknown): Scalar => {
    if (v === null || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : fail(path, 'must be a finite number');
    if (typeof v === 'string') {
      return v.length <= FILTER_LIMITS.chars
        ? v
        : fail(path, `is longer than ${FILTER_LIMITS.chars} characters`);
    }
    return fail(path, 'must be a string, a number, a boolean or null');
  };

  function filter(v: unknown, path: string, depth: number): FilterNode {
    if (depth > FILTER_LIMITS.depth) fail(where, `is nested deeper than ${FILTER_LIMITS.depth} levels`);
    if (!isObject(v)) return fail(path, 'must be an object of fields and operators');
    const parts: FilterNode[] = [];
    for (const [key, value] of Object.entries(v)) {
      const at = `${path}.${key}`;
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(value) || value.length === 0) fail(at, 'must be a non-empty list of filters');
        count();
        const list = (value as unknown[]).map((item, i) => filter(item, `${at}[${i}]`, depth + 2));
        parts.push(key === '$and' ? { and: list } : { or: list });
      } else if (key === '$not') {
        count();
        parts.push({ not: filter(value, at, depth + 1) });
      } else if (key.startsWith('$')) {
        fail(at, 'is not an operator here (use $and, $or or $not, or a field name)');
      } else {
        if (key.length === 0 || key.length > FILTER_LIMITS.chars) fail(at, 'is not a usable field name');
        parts.push(...conditions(key, value, at, depth + 1));
      }
    }
    if (parts.length === 0) fail(path, 'must name at least one field or operator');
    return parts.length === 1 ? (parts[0] as FilterNode) : { and: parts };
  }

  function conditions(field: string, value: unknown, path: string, depth: number): FilterNode[] {
    if (!isObject(value)) {
      count();
      return [{ field, op: '$eq', value: scalar(path, value) }];
    }
    if (depth > FILTER_LIMITS.depth) fail(where, `is nested deeper than ${FILTER_LIMITS.depth} levels`);
    const entries = Object.entries(value);
    if (entries.length === 0) fail(path, 'must hold at least one operator');
    return entries.map(([op, operand]): FilterNode => {
      const at = `${path}.${op}`;
      count();
      if (!OPERATORS.has(op)) {
        return fail(at, `is not an operator (${[...OPERATORS].join(' ')})`);
      }
      if (op === '$eq' || op === '$ne') return { field, op, value: scalar(at, operand) };
      if (op === '$in' || op === '$nin') {
        if (!Array.isArray(operand)) return fail(at, 'must be a list');
        if (operand.length > FILTER_LIMITS.inValues)
          fail(at, `has more than ${FILTER_LIMITS.inValues} values`);
        return { field, op, values: operand.map((item, i) => scalar(`${at}[${i}]`, item)) };
      }
      if (op === '$exists') {
        if (typeof operand !== 'boolean') return fail(at, 'must be true or false');
        return { field, op, exists: operand };
      }
      if (typeof operand === 'number' && Number.isFinite(operand)) {
        return { field, op: op as '$gt', bound: operand };
      }
      if (isoTime(operand) !== undefined) return { field, op: op as '$gt', bound: operand as string };
      return fail(at, 'must be a finite number or an ISO 8601 date');
    });
  }

  return filter(input, where, 1);
}

/** A stable text of a parsed filter: equal filters, equal keys (for grouping searches). */
export const filterKey = (filter: FilterNode | undefined): string => (filter ? JSON.stringify(filter) : '');

/** The predicate of a parsed filter over a record's metadata (null: no metadata). */
export function compileMetadataFilter(filter: FilterNode): (metadata: Metadata | null) => boolean {
  if ('and' in filter) {
    const parts = filter.and.map(compileMetadataFilter);
    return (m) => parts.every((p) => p(m));
  }
  if ('or' in filter) {
    const parts = filter.or.map(compileMetadataFilter);
    return (m) => parts.some((p) => p(m));
  }
  if ('not' in filter) {
    const inner = compileMetadataFilter(filter.not);
    return (m) => !inner(m);
  }
  const read = fieldReader(filter.field);
  switch (filter.op) {
    case '$eq':
      return (m) => anyOf(read(m), (v) => v === filter.value);
    case '$ne':
      return (m) => !anyOf(read(m), (v) => v === filter.value);
    case '$in': {
      const set = new Set<unknown>(filter.values);
      return (m) => anyOf(read(m), (v) => set.has(v));
    }
    case '$nin': {
      const set = new Set<unknown>(filter.values);
      return (m) => !anyOf(read(m), (v) => set.has(v));
    }
    case '$exists':
      return (m) => (read(m) !== undefined) === filter.exists;
    default: {
      const inRange = rangeTest(filter.op, filter.bound);
      return (m) => anyOf(read(m), inRange);
    }
  }
}

/** Applies `test` to a value, or to each element when it is a list (MongoDB's array matching). */
function anyOf(value: unknown, test: (v: unknown) => boolean): boolean {
  if (value === undefined) return false;
  if (Array.isArray(value)) return value.some(test);
  return test(value);
}

function fieldReader(path: string): (m: Metadata | null) => unknown {
  const steps = path.split('.');
  if (steps.length === 1) {
    return (m) => (m && Object.hasOwn(m, path) ? m[path] : undefined);
  }
  return (m) => {
    let at: unknown = m;
    for (const step of steps) {
      if (!isObject(at) || !Object.hasOwn(at, step)) return undefined;
      at = at[step];
    }
    return at;
  };
}

function rangeTest(op: '$gt' | '$gte' | '$lt' | '$lte', bound: number | string): (v: unknown) => boolean {
  const compare = (x: number, b: number) =>
    op === '$gt' ? x > b : op === '$gte' ? x >= b : op === '$lt' ? x < b : x <= b;
  if (typeof bound === 'number') return (v) => typeof v === 'number' && compare(v, bound);
  const boundMs = isoTime(bound) as number;
  return (v) => {
    const ms = isoTime(v);
    return ms !== undefined && compare(ms, boundMs);
  };
}
