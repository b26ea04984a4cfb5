import type { MikroORM } from '@mikro-orm/postgresql';
import type { AadContext, MasterKeyring } from '@vectorauth/shared';
import { type Adapter, type AdapterPayload, errors, Provider } from 'oidc-provider';
import type { RevocationSource } from '../revocation/revocation-source.ts';
import { oauthDb } from './oauth-unavailable.ts';
import type { RefreshRotation } from './refresh-rotation.ts';

export const SECRET_AAD = (clientId: string): AadContext => ({ purpose: 'client-secret', clientId });

interface Row {
  id: string;
  payload: AdapterPayload;
  /** Seconds since the epoch, as oidc-provider expects `consumed`. */
  consumed: number | null;
}

const SELECT = `select id, payload, floor(extract(epoch from consumed_at))::int as consumed from oidc_model
  where model = ? and (expires_at is null or expires_at > now())`;

const UPSERT_COLUMNS = `(model, id, payload, grant_id, user_code, uid, expires_at)`;
const UPSERT_VALUES = `?, ?, ?, ?, ?, ?, case when ?::int > 0 then now() + make_interval(secs => ?::int) end`;
const ON_CONFLICT = `on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
  user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`;

/**
 * A refresh token consumed within the grace window whose successor is still unused: presenting
 * it again is a retry of a lost answer, not reuse.
 */
const REPLAYABLE = `select s.id as successor from oidc_model o
  join oidc_model s on s.model = o.model and s.id = o.payload->>'successor'
    and s.consumed_at is null and (s.expires_at is null or s.expires_at > now())
  where o.model = 'RefreshToken' and o.id = ? and o.consumed_at > now() - make_interval(secs => ?::int)`;

/**
 * oidc-provider's storage in Postgres, one table for every model. `consume` is a single
 * conditional UPDATE, so a code is redeemed once even under parallel requests: the losers get
 * `invalid_grant` and revoke the grant, as a later reuse would (`onGrantRevoked` hears of it, for
 * the access tokens' revocation list). Client secrets are sealed at rest.
 *
 * Refresh-token rotation (with `rotation`) is all or nothing: `consume` of a refresh token only
 * notes it, and the save of its successor consumes it in the same statement (the old token
 * records its successor), so no failure leaves a family without a usable token. Within the grace
 * window, the old token presented again while its successor is unused gets that same successor
 * (a lost answer); after it, or once the successor was used, it is reuse and the family goes.
 * Every Postgres outage surfaces as a 503 `temporarily_unavailable` (`oauthDb`).
 */
export function createPostgresAdapter(deps: {
  orm: MikroORM;
  keyring: MasterKeyring;
  onGrantRevoked?: (grantId: string, source: RevocationSource) => Promise<void>;
  rotation?: RefreshRotation;
}) {
  const { orm, keyring, onGrantRevoked, rotation } = deps;
  const db = () => orm.em.getConnection();
  /** The token request this call serves, when refresh rotation applies to it. */
  const rotationCtx = (model: string): object | undefined => {
    if (!rotation || model !== 'RefreshToken') return undefined;
    const ctx = Provider.ctx as { oidc?: { route?: string } } | undefined;
    return ctx?.oidc?.route === 'token' ? ctx : undefined;
  };

  /** Deletes the grant of a spent token with all its tokens, tells the listener, throws invalid_grant. */
  const revokeSpent = async (model: string, id: string): Promise<never> => {
    // Lost a race with another redemption of the same code or refresh token: that is reuse, as
    // surely as presenting it after it was spent, so the whole grant goes (RFC 9700 4.14.2).
    const spent = await db().execute<{ grant_id: string }[]>(
      `with spent as (select grant_id from oidc_model where model = ? and id = ? and grant_id is not null),
         gone as (delete from oidc_model where grant_id in (select grant_id from spent)
           or (model = 'Grant' and id in (select grant_id from spent)))
       select grant_id from spent`,
      [model, id],
    );
    const grantId = spent[0]?.grant_id;
    // The grant is gone from Postgres either way; a failed notice is replayed by its receiver.
    const source = model === 'RefreshToken' ? 'refresh_reuse' : 'code_reuse';
    if (grantId && onGrantRevoked) await onGrantRevoked(grantId, source).catch(() => undefined);
    throw new errors.InvalidGrant('grant source already consumed');
  };

  const replayable = async (id: string): Promise<string | undefined> => {
    if (!rotation || rotation.graceSec <= 0) return undefined;
    const rows = await db().execute<{ successor: string }[]>(REPLAYABLE, [id, rotation.graceSec]);
    return rows[0]?.successor;
  };

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
    const { successor: _successor, ...stored } = row.payload;
    const payload = model === 'Client' ? openSecret(row.id, stored) : stored;
    return row.consumed ? { ...payload, consumed: row.consumed } : payload;
  };

  return class PostgresAdapter implements Adapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      return oauthDb(async () => {
        const stored = this.model === 'Client' ? sealSecret(id, payload) : payload;
        const values = [
          this.model,
          id,
          JSON.stringify(stored),
          payload.grantId ?? null,
          payload.userCode ?? null,
          payload.uid ?? null,
          expiresIn ?? 0,
          expiresIn ?? 0,
        ];
        const ctx = rotationCtx(this.model);
        const pending = ctx ? rotation?.get(ctx) : undefined;
        if (!ctx || !pending || pending.newId || pending.replayOf) {
          // A replay answers the successor already saved: this one is never stored.
          if (pending?.replayOf) return;
          await db().execute(
            `insert into oidc_model ${UPSERT_COLUMNS} values (${UPSERT_VALUES}) ${ON_CONFLICT}`,
            values,
          );
          return;
        }
        // The rotation itself: consume the old token and save its successor in one statement.
        const saved = await db().execute<{ id: string }[]>(
          `with spent as (update oidc_model set consumed_at = now(),
               payload = payload || jsonb_build_object('successor', ?::text)
             where model = 'RefreshToken' and id = ? and consumed_at is null returning 1)
           insert into oidc_model ${UPSERT_COLUMNS} select ${UPSERT_VALUES} from spent ${ON_CONFLICT} returning id`,
          [id, pending.oldId, ...values],
        );
        if (saved.length === 1) {
          rotation?.set(ctx, { ...pending, newId: id });
          return;
        }
        // Another request rotated it first: the same retry within the grace window, or reuse.
        const successor = await replayable(pending.oldId);
        if (successor) {
          rotation?.set(ctx, { ...pending, replayOf: successor });
          return;
        }
        await revokeSpent(this.model, pending.oldId);
      });
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return oauthDb(async () => {
        const rows = await db().execute<Row[]>(`${SELECT} and id = ?`, [this.model, id]);
        const row = rows[0];
        const ctx = rotationCtx(this.model);
        if (ctx && row?.consumed) {
          const successor = await replayable(id);
          if (successor) {
            rotation?.set(ctx, { oldId: id, replayOf: successor });
            return toPayload(this.model, { ...row, consumed: null });
          }
        }
        return toPayload(this.model, row);
      });
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return oauthDb(async () => {
        const rows = await db().execute<Row[]>(`${SELECT} and uid = ?`, [this.model, uid]);
        return toPayload(this.model, rows[0]);
      });
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return oauthDb(async () => {
        const rows = await db().execute<Row[]>(`${SELECT} and user_code = ?`, [this.model, userCode]);
        return toPayload(this.model, rows[0]);
      });
    }

    consume(id: string): Promise<void> {
      return oauthDb(async () => {
        const ctx = rotationCtx(this.model);
        if (ctx) {
          // Noted only: the successor's save consumes it (or, for a replay, nothing does).
          const known = rotation?.get(ctx);
          if (!(known?.replayOf && known.oldId === id)) rotation?.set(ctx, { oldId: id });
          return;
        }
        const result = await db().execute<{ id: string }[]>(
          'update oidc_model set consumed_at = now() where model = ? and id = ? and consumed_at is null returning id',
          [this.model, id],
        );
        if (result.length === 1) return;
        await revokeSpent(this.model, id);
      });
    }

    destroy(id: string): Promise<void> {
      return oauthDb(async () => {
        await db().execute('delete from oidc_model where model = ? and id = ?', [this.model, id]);
      });
    }

    revokeByGrantId(grantId: string): Promise<void> {
      return oauthDb(async () => {
        await db().execute('delete from oidc_model where grant_id = ?', [grantId]);
      });
    }
  };
}

/**
 * Undoes a committed rotation whose answer failed: the old refresh token is usable again and its
 * successor (never delivered) is gone, in one statement; nothing happens if the successor was used.
 */
export async function undoRotation(orm: MikroORM, rotation: { oldId: string; newId: string }): Promise<void> {
  await orm.em.getConnection().execute(
    `with gone as (delete from oidc_model where model = 'RefreshToken' and id = ? and consumed_at is null returning id)
     update oidc_model set consumed_at = null, payload = payload - 'successor'
       where model = 'RefreshToken' and id = ? and payload->>'successor' in (select id from gone)`,
    [rotation.newId, rotation.oldId],
  );
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
