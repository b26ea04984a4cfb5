/** Which index a collection is searched through: exact scan, HNSW graph, or chosen by size. */
export const INDEX_TYPES = ['flat', 'hnsw', 'auto'] as const;
export type IndexType = (typeof INDEX_TYPES)[number];

/** A collection's index settings, as stored (the HNSW ones apply whenever it is, or becomes, HNSW). */
export interface IndexSettings {
  type: IndexType;
  /** HNSW links per vector (memory: about 8 x m bytes each, on top of the vector). */
  m: number;
  /** Candidates kept while inserting into the graph: higher builds slower and finds better. */
  efConstruction: number;
  /** Candidates kept while searching, unless a search gives its own `ef_search`. */
  efSearch: number;
}

/** `auto` searches flat (exact) below this many vectors and through HNSW from it on. */
export const AUTO_HNSW_FROM = 20_000;

export const INDEX_LIMITS = {
  m: { min: 4, max: 64 },
  efConstruction: { min: 8, max: 512 },
  efSearch: { min: 1, max: 4096 },
} as const;

export const DEFAULT_INDEX_SETTINGS: IndexSettings = {
  type: 'flat',
  m: 16,
  efConstruction: 100,
  efSearch: 100,
};

/**
 * The index a collection of `count` live vectors is searched through. `auto` goes to HNSW at
 * `AUTO_HNSW_FROM` and back to flat only under half of that (given the kind it has now), so a
 * collection that hovers around the threshold is not rebuilt at every crossing.
 */
export function indexKindFor(
  settings: IndexSettings,
  count: number,
  current?: 'flat' | 'hnsw',
): 'flat' | 'hnsw' {
  if (settings.type !== 'auto') return settings.type;
  if (current === 'hnsw') return count >= AUTO_HNSW_FROM / 2 ? 'hnsw' : 'flat';
  return count >= AUTO_HNSW_FROM ? 'hnsw' : 'flat';
}

/** The stored column (`index_settings` jsonb, null for collections made before it existed). */
export function indexSettingsFrom(stored: unknown): IndexSettings {
  if (!stored || typeof stored !== 'object') return DEFAULT_INDEX_SETTINGS;
  const s = stored as Partial<IndexSettings>;
  return {
    type: INDEX_TYPES.includes(s.type as IndexType) ? (s.type as IndexType) : 'flat',
    m: Number(s.m ?? DEFAULT_INDEX_SETTINGS.m),
    efConstruction: Number(s.efConstruction ?? DEFAULT_INDEX_SETTINGS.efConstruction),
    efSearch: Number(s.efSearch ?? DEFAULT_INDEX_SETTINGS.efSearch),
  };
}
