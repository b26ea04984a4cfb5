import type { Collection } from './collection.ts';
import { LruMap } from './lru-map.ts';

/**
 * Collection rows by principal and name, at most `capacity` of them. A row found here is a
 * candidate only: the repository uses it when its version equals the published one
 * (`collection-versions.ts`), and reads Postgres otherwise.
 */
export class CollectionCache {
  readonly #rows: LruMap<string, Collection>;

  constructor(capacity = 10_000) {
    this.#rows = new LruMap(capacity);
  }

  /** The cached row of the principal's collection `name`; never another principal's. */
  get(principal: string, name: string): Collection | undefined {
    const row = this.#rows.get(keyOf(principal, name));
    return row && row.principal === principal && row.name === name ? row : undefined;
  }

  /** Remembers `row`, unless a newer version of the same collection is already held. */
  set(row: Collection): void {
    const held = this.#rows.get(keyOf(row.principal, row.name));
    if (held && held.id === row.id && held.version > row.version) return;
    this.#rows.set(keyOf(row.principal, row.name), row);
  }

  delete(principal: string, name: string): void {
    this.#rows.delete(keyOf(principal, name));
  }
}

// Names never contain NUL (NAME_PATTERN): the pair cannot collide with another principal's.
const keyOf = (principal: string, name: string) => `${principal}\u0000${name}`;
