import type { MikroORM } from '@mikro-orm/postgresql';
import type { MasterKeyring } from '@vectorauth/shared';
import { type Adapter, type AdapterPayload, Provider } from 'oidc-provider';
import type { ClientCacheSync } from '../clients/client-cache-sync.ts';
import { type ClientSecretSeal, createClientSecretSeal } from '../clients/client-secret-seal.ts';
import { oauthDb } from './oauth-unavailable.ts';
import { type OidcModelRow, oidcModelPayload } from './oidc-model-row.ts';
import type { RefreshRotation, Rotation } from './refresh-rotation.ts';
import { replayableSuccessor } from './replayable-successor.ts';
import { type GrantRevokedListener, revokeSpentToken } from './spent-token-revocation.ts';

const SELECT = `select id, payload, floor(extract(epoch from consumed_at))::int as consumed from oidc_model
  where model = ? and (expires_at is null or expires_at > now())`;

const UPSERT_COLUMNS = `(model, id, payload, grant_id, user_code, uid, expires_at)`;
const UPSERT_VALUES = `?, ?, ?, ?, ?, ?, case when ?::int > 0 then now() + make_interval(secs => ?::int) end`;
const ON_CONFLICT = `on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
  user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`;

/** What the adapter of every model shares. */
interface AdapterDeps {
  orm: MikroORM;
  seal: ClientSecretSeal;
  onGrantRevoked?: GrantRevokedListener;
  rotation?: RefreshRotation;
  clientCache?: ClientCacheSync;
}

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
 *
 * Clients are read through `clientCache` when given (oidc-provider finds the client on every
 * request): every write of a client through any adapter of this factory invalidates it at every
 * instance before it resolves. A client row written any other way is seen within the cache TTL.
 */
export function createPostgresAdapter(deps: {
  orm: MikroORM;
  keyring: MasterKeyring;
  onGrantRevoked?: GrantRevokedListener;
  rotation?: RefreshRotation;
  clientCache?: ClientCacheSync;
}): new (
  model: string,
) => Adapter {
  const { orm, keyring, onGrantRevoked, rotation, clientCache } = deps;
  const seal = createClientSecretSeal(keyring);
  const shared: AdapterDeps = { orm, seal, onGrantRevoked, rotation, clientCache };
  return class PostgresAdapter extends PostgresModelAdapter {
    constructor(model: string) {
      super(model, shared);
    }
  };
}

/** The adapter of one model (oidc-provider constructs one per model name). */
class PostgresModelAdapter implements Adapter {
  readonly model: string;
  readonly #deps: AdapterDeps;

  constructor(model: string, deps: AdapterDeps) {
    this.model = model;
    this.#deps = deps;
  }

  upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    return oauthDb(async () => {
      const stored = this.model === 'Client' ? this.#deps.seal.seal(id, payload) : payload;
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
      const ctx = this.#rotationCtx();
      const pending = ctx ? this.#deps.rotation?.get(ctx) : undefined;
      if (ctx && pending && !pending.newId && !pending.replayOf) {
        await this.#rotate(ctx, pending, id, values);
        return;
      }
      // A replay answers the successor already saved: this one is never stored.
      if (pending?.replayOf) return;
      await this.#db().execute(
        `insert into oidc_model ${UPSERT_COLUMNS} values (${UPSERT_VALUES}) ${ON_CONFLICT}`,
        values,
      );
      await this.#clientChanged(id);
    });
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    const { clientCache } = this.#deps;
    if (this.model === 'Client' && clientCache) return clientCache.find(id, () => this.#find(id));
    return this.#find(id);
  }

  #find(id: string): Promise<AdapterPayload | undefined> {
    return oauthDb(async () => {
      const rows = await this.#db().execute<OidcModelRow[]>(`${SELECT} and id = ?`, [this.model, id]);
      const row = rows[0];
      const ctx = this.#rotationCtx();
      if (ctx && row?.consumed) {
        const successor = await replayableSuccessor(this.#deps, id);
        if (successor) {
          this.#deps.rotation?.set(ctx, { oldId: id, replayOf: successor });
          return this.#payload({ ...row, consumed: null });
        }
      }
      return this.#payload(row);
    });
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return oauthDb(async () => {
      const rows = await this.#db().execute<OidcModelRow[]>(`${SELECT} and uid = ?`, [this.model, uid]);
      return this.#payload(rows[0]);
    });
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return oauthDb(async () => {
      const rows = await this.#db().execute<OidcModelRow[]>(`${SELECT} and user_code = ?`, [
        this.model,
        userCode,
      ]);
      return this.#payload(rows[0]);
    });
  }

  consume(id: string): Promise<void> {
    return oauthDb(async () => {
      const ctx = this.#rotationCtx();
      if (ctx) {
        // Noted only: the successor's save consumes it (or, for a replay, nothing does).
        const known = this.#deps.rotation?.get(ctx);
        if (!(known?.replayOf && known.oldId === id)) this.#deps.rotation?.set(ctx, { oldId: id });
        return;
      }
      const result = await this.#db().execute<{ id: string }[]>(
        'update oidc_model set consumed_at = now() where model = ? and id = ? and consumed_at is null returning id',
        [this.model, id],
      );
      if (result.length === 1) return;
      await revokeSpentToken(this.#deps, this.model, id);
    });
  }

  destroy(id: string): Promise<void> {
    return oauthDb(async () => {
      await this.#db().execute('delete from oidc_model where model = ? and id = ?', [this.model, id]);
      await this.#clientChanged(id);
    });
  }

  /** After a client's row changed: every instance forgets what it holds of it. */
  async #clientChanged(id: string): Promise<void> {
    if (this.model === 'Client') await this.#deps.clientCache?.changed(id);
  }

  /**
   * Every token of the grant, whatever model oidc-provider asks through (it picks the models by
   * the request's client, not each grant's). An interaction in progress that names the grant
   * stays: signing out before switching account revokes the grant while that interaction still
   * has to resume.
   */
  revokeByGrantId(grantId: string): Promise<void> {
    return oauthDb(async () => {
      await this.#db().execute("delete from oidc_model where grant_id = ? and model <> 'Interaction'", [
        grantId,
      ]);
    });
  }

  /**
   * The rotation itself: consume the old token and save its successor in one statement. If
   * another request rotated it first, this is the same retry within the grace window, or reuse.
   */
  async #rotate(ctx: object, pending: Rotation, id: string, values: unknown[]): Promise<void> {
    const { rotation } = this.#deps;
    const saved = await this.#db().execute<{ id: string }[]>(
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
    const successor = await replayableSuccessor(this.#deps, pending.oldId);
    if (successor) {
      rotation?.set(ctx, { ...pending, replayOf: successor });
      return;
    }
    await revokeSpentToken(this.#deps, this.model, pending.oldId);
  }

  /** The token request this call serves, when refresh rotation applies to it. */
  #rotationCtx(): object | undefined {
    if (!this.#deps.rotation || this.model !== 'RefreshToken') return undefined;
    const ctx = Provider.ctx as { oidc?: { route?: string } } | undefined;
    return ctx?.oidc?.route === 'token' ? ctx : undefined;
  }

  #db() {
    return this.#deps.orm.em.getConnection();
  }

  #payload(row: OidcModelRow | undefined): AdapterPayload | undefined {
    return oidcModelPayload(this.model, row, (clientId, payload) => this.#deps.seal.open(clientId, payload));
  }
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
