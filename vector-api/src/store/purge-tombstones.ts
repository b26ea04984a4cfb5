import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Deletes tombstones older than `olderThanSec` and raises each affected collection's
 * `purged_seq` in the same statement, so a snapshot from before them is known to be unusable.
 * Returns how many tombstones went.
 */
export async function purgeTombstones(em: EntityManager, olderThanSec: number): Promise<number> {
  const rows = await em.execute<{ purged: string }[]>(
    `with purged as (
       delete from vector_record
       where payload is null and updated_at < now() - make_interval(secs => ?)
       returning collection_id, seq
     ), marks as (
       select collection_id, max(seq) as seq, count(*) as n from purged group by collection_id
     ), raised as (
       update collection c set purged_seq = greatest(c.purged_seq, marks.seq)
       from marks where c.id = marks.collection_id
       returning c.id
     )
     select coalesce(sum(n), 0) as purged from marks`,
    [olderThanSec],
  );
  return Number(rows[0]?.purged ?? 0);
}
