import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError, withDbErrors } from '@vectorauth/shared';
import type { Collection, CollectionRow } from './collection.ts';
import { toCollection } from './collection.ts';
import type { Metric } from './metric.ts';

export interface NewCollection {
  name: string;
  dimension: number;
  metric: Metric;
}

export interface CollectionRepository {
  create(principal: string, input: NewCollection): Promise<Collection>;
  list(principal: string): Promise<(Collection & { count: number })[]>;
  /** The principal's collection of that name; another principal's is simply not found. */
  find(principal: string, name: string): Promise<Collection | null>;
  count(collectionId: string): Promise<number>;
  /** Deletes the collection and (by cascade) its records and tombstones; the removed collection, or null. */
  remove(principal: string, name: string): Promise<Collection | null>;
}

const COLUMNS = 'id, principal, name, dimension, metric, version, created_at';

/** Collections of one request's EntityManager fork; every query is scoped by principal. */
export function createCollectionRepository(em: EntityManager): CollectionRepository {
  return {
    create: (principal, input) =>
      withDbErrors(async () => {
        try {
          const rows = await em.execute<CollectionRow[]>(
            `insert into collection (id, principal, name, dimension, metric, version)
             values (?, ?, ?, ?, ?, 1) returning ${COLUMNS}`,
            [randomUUID(), principal, input.name, input.dimension, input.metric],
          );
          return toCollection(rows[0] as CollectionRow);
        } catch (err) {
          if (err instanceof UniqueConstraintViolationException) {
            throw new ConflictError(`a collection named "${input.name}" already exists`);
          }
          throw err;
        }
      }),
    list: (principal) =>
      withDbErrors(async () => {
        const rows = await em.execute<(CollectionRow & { count: string })[]>(
          `select ${COLUMNS}, (select count(*) from vector_record r where r.collection_id = c.id and r.payload is not null) as count
           from collection c where principal = ? order by name`,
          [principal],
        );
        return rows.map((row) => ({ ...toCollection(row), count: Number(row.count) }));
      }),
    find: (principal, name) =>
      withDbErrors(async () => {
        const rows = await em.execute<CollectionRow[]>(
          `select ${COLUMNS} from collection where principal = ? and name = ?`,
          [principal, name],
        );
        return rows[0] ? toCollection(rows[0]) : null;
      }),
    count: (collectionId) =>
      withDbErrors(async () => {
        const rows = await em.execute<{ count: string }[]>(
          'select count(*) as count from vector_record where collection_id = ? and payload is not null',
          [collectionId],
        );
        return Number(rows[0]?.count ?? 0);
      }),
    remove: (principal, name) =>
      withDbErrors(async () => {
        const rows = await em.execute<CollectionRow[]>(
          `delete from collection where principal = ? and name = ? returning ${COLUMNS}`,
          [principal, name],
        );
        return rows[0] ? toCollection(rows[0]) : null;
      }),
  };
}
