import type { Metric } from './metric.ts';

/** A collection as the rest of the service sees it. */
export interface Collection {
  id: string;
  principal: string;
  name: string;
  dimension: number;
  metric: Metric;
  version: number;
  createdAt: Date;
}

export interface CollectionRow {
  id: string;
  principal: string;
  name: string;
  dimension: number | string;
  metric: string;
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
    version: Number(row.version),
    createdAt: new Date(row.created_at),
  };
}
