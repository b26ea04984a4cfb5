import type { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError } from '@vectorauth/shared';
import { checkRowCodec } from './check-row-codec.ts';
import type { Collection } from './collection.ts';
import { currentDataKey } from './current-data-key.ts';
import type { Encryption } from './encryption.ts';
import { packRows } from './packed-rows.ts';
import type { RecordCodec } from './record-codec.ts';
import type { ChangeSet } from './record-repository.ts';
import { StoredDataUnreadableError } from './stored-data-errors.ts';

const ROWS_PER_PAGE = 5000;

interface ChangedRow {
  id: string;
  seq: string;
  codec: string;
  payload: Buffer | null;
}

/**
 * The rows of `collection` written after version `since` and the version they lead to; a full
 * load (base 0) when `since` cannot be replayed forward. Runs inside the caller's repeatable-read
 * transaction `tem`, so the head and every page are one snapshot.
 */
export async function readChanges(
  tem: EntityManager,
  { codec, keys }: Encryption,
  collection: Collection,
  since: number,
): Promise<ChangeSet> {
  const head = await tem.execute<{ version: string; purged_seq: string }[]>(
    'select version, purged_seq from collection where id = ? and principal = ?',
    [collection.id, collection.principal],
  );
  if (!head[0]) throw new NotFoundError('no such collection');
  const version = Number(head[0].version);
  const base = since >= Number(head[0].purged_seq) && since <= version ? since : 0;
  const key = await currentDataKey(keys, tem, collection.principal, false);
  const { ids, seqs, parts } = await readRows(tem, codec, collection.id, base);
  if (codec.keyed && !key && parts.some((p) => p.length > 0)) {
    throw new StoredDataUnreadableError('the stored vectors of this collection have no data key');
  }
  return { version, base, key, rows: packRows(ids, seqs, parts) };
}

/** Every row after `base` (every live row when `base` is 0), read ROWS_PER_PAGE at a time. */
async function readRows(tem: EntityManager, codec: RecordCodec, collectionId: string, base: number) {
  const ids: string[] = [];
  const seqs: number[] = [];
  const parts: Buffer[] = [];
  let after: { seq: number; id: string } | undefined;
  for (;;) {
    const page = await tem.execute<ChangedRow[]>(...pageQuery(collectionId, base, after));
    for (const row of page) {
      if (row.payload) checkRowCodec(codec, row.id, row.codec);
      ids.push(row.id);
      seqs.push(Number(row.seq));
      parts.push(row.payload ?? Buffer.alloc(0));
    }
    const last = page.at(-1);
    if (!last || page.length < ROWS_PER_PAGE) break;
    after = { seq: Number(last.seq), id: last.id };
  }
  return { ids, seqs, parts };
}

/**
 * The page after `after`: a full load pages through the primary key (no sort); a replay pages in
 * (seq, id) order.
 */
function pageQuery(
  collectionId: string,
  base: number,
  after: { seq: number; id: string } | undefined,
): [string, unknown[]] {
  return base === 0
    ? [
        `select id, seq, codec, payload from vector_record
         where collection_id = ? and payload is not null ${after ? 'and id > ?' : ''}
         order by id limit ${ROWS_PER_PAGE}`,
        [collectionId, ...(after ? [after.id] : [])],
      ]
    : [
        `select id, seq, codec, payload from vector_record
         where collection_id = ? and seq > ? ${after ? 'and (seq, id) > (?, ?)' : ''}
         order by seq, id limit ${ROWS_PER_PAGE}`,
        [collectionId, base, ...(after ? [after.seq, after.id] : [])],
      ];
}
