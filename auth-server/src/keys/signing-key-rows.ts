import type { EntityManager } from '@mikro-orm/postgresql';
import { ConflictError, NotFoundError } from '@vectorauth/shared';
import {
  type KeyStatus,
  SIGNING_KEY_COLUMNS,
  type SigningKeyRow,
  toSigningKeyRow,
} from './signing-key-row.ts';

export interface NewSigningKey {
  kid: string;
  alg: string;
  status: KeyStatus;
  publicJwk: object;
  sealed: { keyId: string; ciphertext: Buffer };
}

const STAMP: Record<KeyStatus, string | null> = {
  current: 'activated_at',
  retired: 'retired_at',
  revoked: 'revoked_at',
  next: null,
};

/** The SQL of table `signing_key`, each statement run on the EntityManager (transaction) given. */
export const signingKeyRows = {
  /** `rest` follows `select <columns> from signing_key` (where, order by). */
  async select(em: EntityManager, rest = '', params: unknown[] = []): Promise<SigningKeyRow[]> {
    const rows = await em.execute<SigningKeyRow[]>(
      `select ${SIGNING_KEY_COLUMNS} from signing_key ${rest}`,
      params,
    );
    return rows.map(toSigningKeyRow);
  },

  async find(em: EntityManager, kid: string): Promise<SigningKeyRow> {
    const [row] = await signingKeyRows.select(em, 'where kid = ?', [kid]);
    if (!row) throw new NotFoundError(`no signing key has kid ${JSON.stringify(kid)}`);
    return row;
  },

  async withStatus(em: EntityManager, status: KeyStatus): Promise<SigningKeyRow | undefined> {
    return (await signingKeyRows.select(em, 'where status = ?', [status]))[0];
  },

  /** Moves the key from `from` to `to`, stamping when; 409 when it is no longer `from`. */
  async setStatus(em: EntityManager, kid: string, from: KeyStatus, to: KeyStatus): Promise<SigningKeyRow> {
    const stamp = STAMP[to];
    const [row] = await em.execute<SigningKeyRow[]>(
      `update signing_key set status = ?${stamp ? `, ${stamp} = now()` : ''}
       where kid = ? and status = ? returning ${SIGNING_KEY_COLUMNS}`,
      [to, kid, from],
    );
    if (!row) throw new ConflictError(`signing key ${kid} is no longer ${from}`);
    return toSigningKeyRow(row);
  },

  async insert(em: EntityManager, key: NewSigningKey): Promise<SigningKeyRow> {
    const [row] = await em.execute<SigningKeyRow[]>(
      `insert into signing_key (kid, alg, status, public_jwk, private_jwk, master_key_id, created_at, activated_at)
       values (?, ?, ?, ?, ?, ?, now(), ${key.status === 'current' ? 'now()' : 'null'})
       returning ${SIGNING_KEY_COLUMNS}`,
      [key.kid, key.alg, key.status, JSON.stringify(key.publicJwk), key.sealed.ciphertext, key.sealed.keyId],
    );
    return toSigningKeyRow(row!);
  },

  /** Deletes retired keys retired more than `retentionSec` ago; their kids. */
  async removeRetired(em: EntityManager, retentionSec: number): Promise<string[]> {
    const rows = await em.execute<{ kid: string }[]>(
      `delete from signing_key where status = 'retired'
       and retired_at < now() - make_interval(secs => ?) returning kid`,
      [retentionSec],
    );
    return rows.map((row) => row.kid);
  },
};
