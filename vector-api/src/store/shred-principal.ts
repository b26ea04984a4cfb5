import type { MikroORM } from '@mikro-orm/postgresql';
import { withDbErrors } from '@vectorauth/shared';
import { recordAuditEvent } from './audit-log.ts';
import type { DataKeyStore } from './data-key-store.ts';
import { addUsage } from './principal-usage.ts';

export interface ShredRequest {
  principal: string;
  /** Who asked: the admin token's principal, or `auth-server` for a user-deleted event. */
  actor: string;
  /** How: `admin_api` or `principal_event`. */
  via: string;
  requestId?: string | null;
}

export interface ShredResult {
  keyDestroyed: boolean;
  collections: number;
  records: number;
}

export interface PrincipalShredder {
  /** Idempotent: shredding a principal with nothing left destroys nothing and is still audited. */
  shred(request: ShredRequest): Promise<ShredResult>;
}

export interface ShredderDeps {
  orm: MikroORM;
  keys: DataKeyStore | null;
  /**
   * Forgets the principal everywhere outside Postgres: cached indexes and keys, snapshot files
   * (here and, through the broadcast, on every other instance).
   */
  forget(principal: string): Promise<void>;
  /** Retires the deleted collections' published versions, before the delete commits (503 when it cannot). */
  retireCollections(collectionIds: readonly string[]): Promise<void>;
}

/**
 * Crypto-shredding, in this order: (1) the data key row is deleted and committed, so from then
 * on nothing of the principal can be decrypted, wherever copies of its ciphertext live (backups,
 * WAL, snapshots); (2) its collections, records and tombstones are deleted, with the audit event,
 * in one transaction; (3) caches and snapshot files are removed. A crash in between leaves
 * undecryptable rows that the next call (retry, or the redelivered event) removes.
 */
export function createPrincipalShredder(deps: ShredderDeps): PrincipalShredder {
  return {
    shred: (request) =>
      withDbErrors(async () => {
        const { principal } = request;
        const keyDestroyed = deps.keys
          ? await deps.orm.em.fork().transactional((tem) => deps.keys!.destroy(tem, principal))
          : false;
        const { collections, records } = await deps.orm.em.fork().transactional(async (tem) => {
          const counted = await tem.execute<{ collections: string; records: string; bytes: string }[]>(
            `select count(distinct c.id) as collections,
                    count(r.id) filter (where r.payload is not null) as records,
                    coalesce(sum(octet_length(r.payload)), 0) as bytes
             from (select id from collection where principal = ? for update) c
             left join vector_record r on r.collection_id = c.id`,
            [principal],
          );
          const deleted = await tem.execute<{ id: string }[]>(
            'delete from collection where principal = ? returning id',
            [principal],
          );
          // What was deleted leaves the usage (a collection created meanwhile stays counted).
          await addUsage(tem, principal, {
            collections: -deleted.length,
            vectors: -Number(counted[0]?.records ?? 0),
            bytes: -Number(counted[0]?.bytes ?? 0),
          });
          await deps.retireCollections(deleted.map((row) => row.id));
          const result = {
            collections: Number(counted[0]?.collections ?? 0),
            records: Number(counted[0]?.records ?? 0),
          };
          await recordAuditEvent(tem, {
            actor: request.actor,
            action: 'principal.shredded',
            subject: principal,
            requestId: request.requestId ?? null,
            detail: { via: request.via, key_destroyed: keyDestroyed, ...result },
          });
          return result;
        });
        await deps.forget(principal);
        return { keyDestroyed, collections, records };
      }),
  };
}
