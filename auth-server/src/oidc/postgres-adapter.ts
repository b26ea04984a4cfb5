import type { MikroORM } from '@mikro-orm/postgresql';
import type { MasterKeyring } from '@vectorauth/shared';
import { type Adapter, type AdapterPayload, errors } from 'oidc-provider';

export const SECRET_AAD = (clientId: string) => `client-secret:${clientId}`;

interface Row {
  id: string;
  payload: AdapterPayload;
  /** Seconds since the epoch, as oidc-provider expects `consumed`. */
  consumed: number | null;
}

const SELECT = `select id, payload, floor(extract(epoch from consumed_at))::int as consumed from oidc_model
  where model = ? and (expires_at is null or expires_at > now())`;

/**
 * oidc-provider's storage in Postgres, one table for every model. `consume` is a single
 * conditional UPDATE, so a code or refresh token is redeemed once even under parallel requests:
 * the losers get `invalid_grant` and revoke the grant, as a later reuse would (`onGrantRevoked`
 * hears of it, for the access tokens' revocation list). Client secrets are sealed at rest.
 */
export function createPostgresAdapter(deps: {
  orm: MikroORM;
  keyring: MasterKeyring;
  onGrantRevoked?: (grantId: string) => Promise<void>;
}) {
  const { orm, keyring, onGrantRevoked } = deps;
  const db = () => orm.em.getConnection();

  const sealSecret = (id: string, payload: AdapterPayload): AdapterPayload => {
    if (typeof payload.client_secret !== 'string') return payload;
    const wrapped = keyring.wrap(Buffer.from(payload.client_secret), SECRET_AAD(id));
    return {
      ...payload,
      client_secret: undefined,
      sealed_client_secret: { keyId: wrapped.keyId, ciphertext: wrapped.ciphertext.toString('base64') },
    };
  };

  const openSecret = (id: string, payload: AdapterPayload): AdapterPayload => {
    const sealed = payload.sealed_client_secret as { keyId: string; ciphertext: string } | undefined;
    if (!sealed) return payload;
    const { sealed_client_secret: _, ...rest } = payload;
    const secret = keyring.unwrap(
      { keyId: sealed.keyId, ciphertext: Buffer.from(sealed.ciphertext, 'base64') },
      SECRET_AAD(id),
    );
    return { ...rest, client_secret: secret.toString('utf8') };
  };

  const toPayload = (model: string, row: Row | undefined): AdapterPayload | undefined => {
    if (!row) return undefined;
    const payload = model === 'Client' ? openSecret(row.id, row.payload) : row.payload;
    return row.consumed ? { ...payload, consumed: row.consumed } : payload;
  };

  return class PostgresAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const stored = this.model === 'Client' ? sealSecret(id, payload) : payload;
      await db().execute(
        `insert into oidc_model (model, id, payload, grant_id, user_code, uid, expires_at)
         values (?, ?, ?, ?, ?, ?, case when ?::int > 0 then now() + make_interval(secs => ?::int) end)
         on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
           user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`,
        [
          this.model,
          id,
          JSON.stringify(stored),
          payload.grantId ?? null,
          payload.userCode ?? null,
          payload.uid ?? null,
          expiresIn ?? 0,
          expiresIn ?? 0,
        ],
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const rows = await db().execute<Row[]>(`${SELECT} and id = ?`, [this.model, id]);
      return toPayload(this.model, rows[0]);
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      const rows = await db().execute<Row[]>(`${SELECT} and uid = ?`, [this.model, uid]);
      return toPayload(this.model, rows[0]);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      const rows = await db().execute<Row[]>(`${SELECT} and user_code = ?`, [this.model, userCode]);
      return toPayload(this.model, rows[0]);
    }

    async consume(id: string): Promise<void> {
      const result = await db().execute<{ id: string }[]>(
        'update oidc_model set consumed_at = now() where model = ? and id = ? and consumed_at is null returning id',
        [this.model, id],
      );
      if (result.length === 1) return;
      // Lost a race with another redemption of the same code or refresh token: that is reuse, as
      // surely as presenting it after it was spent, so the whole grant goes (RFC 9700 4.14.2).
      const spent = await db().execute<{ grant_id: string }[]>(
        `with spent as (select grant_id from oidc_model where model = ? and id = ? and grant_id is not null),
           gone as (delete from oidc_model where grant_id in (select grant_id from spent)
             or (model = 'Grant' and id in (select grant_id from spent)))
         select grant_id from spent`,
        [this.model, id],
      );
      const grantId = spent[0]?.grant_id;
      // The grant is gone from Postgres either way; a failed notice is replayed by its receiver.
      if (grantId && onGrantRevoked) await onGrantRevoked(grantId).catch(() => undefined);
      throw new errors.InvalidGrant('grant source already consumed');
    }

    async destroy(id: string): Promise<void> {
      await db().execute('delete from oidc_model where model = ? and id = ?', [this.model, id]);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db().execute('delete from oidc_model where grant_id = ?', [grantId]);
    }
  };
}

/** Deletes rows that expired more than `graceSeconds` ago; returns how many. */
export async function sweepExpiredModels(orm: MikroORM, graceSeconds = 300): Promise<number> {
  const rows = await orm.em.getConnection().execute<{ n: number }[]>(
    `with gone as (delete from oidc_model where expires_at < now() - make_interval(secs => ?::int) returning 1)
       select count(*)::int as n from gone`,
    [graceSeconds],
  );
  return rows[0]?.n ?? 0;
}
