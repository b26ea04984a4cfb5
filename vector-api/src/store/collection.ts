import { type IndexSettings, indexSettingsFrom } from './index-settings.ts';
import type { Metric } from './metric.ts';

/** A collection as the rest of the service sees it. */
export interface Collection {
  id: string;
  principal: string;
  name: string;
  dimension: number;
  metric: Metric;
  /** How it is indexed for search (flat for collections made before settings existed). */
  index: IndexSettings;
  version: number;
  createdAt: Date;
}

export interface CollectionRow {
  id: string;
  principal: string;
  name: string;
  dimension: number | string;
  metric: string;
  index_settings: unknown;
  version: number | string;
  created_at: Date | string;
}

export function toCollection(row: CollectionRow): Collection {
  return {
    id: row.id,
    principal: row.principal,
    name: row.name,
    dimension: Number(row.dimension),
    metric: row.metric as Metric,
    index: indexSettingsFrom(row.index_settings),
    version: Number(row.version),
    createdAt: new Date(row.created_at),
  };
}
