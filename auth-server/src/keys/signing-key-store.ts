import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { type AadContext, ConflictError, type MasterKeyring, NotFoundError } from '@vectorauth/shared';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { type KeySet, keySetVersion, publicPart } from './key-set.ts';
import type { SigningKeyRow } from './signing-key-entity.ts';

export type KeyStatus = SigningKeyRow['status'];

export interface PublicKeyInfo {
  kid: string;
  alg: string;
  status: KeyStatus;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
  revokedAt: Date | null;
  /** `next` only: from when it may be promoted (every resource server can know it by then). */
  promotableAt: Date | null;
  /** `retired` only: when it leaves the JWKS (every token it signed has expired by then). */
  removeAfter: Date | null;
  /** `revoked` only: until when resource servers are told to refuse its tokens. */
  denyUntil: Date | null;
}

export interface KeyTimings {
  /** Least time a `next` key is published before it may sign. */
  publishWaitSec: number;
  /** How long a retired key stays published: the longest token lifetime plus margins. */
  retentionSec: number;
  /** How long resource servers are told to refuse a revoked key's tokens. */
  denySec: number;
}

export interface SigningKeyStore {
  /** Makes sure one `current` key exists; the first start of an installation generates it. */
  ensureCurrent(): Promise<void>;
  /** Cheap: the version of the published key set (compare with `KeySet.version`). */
  version(): Promise<string>;
  /** The published keys, private parts unsealed, ready for oidc-provider. */
  loadKeySet(): Promise<KeySet>;
  list(): Promise<PublicKeyInfo[]>;
  /** Generates a `next` key (published, not signing). 409 when one is already staged. */
  stage(alg?: string): Promise<PublicKeyInfo>;
  /** `next` -> `current`; the previous `current` -> `retired`. 409 unless `next` and published long enough. */
  promote(kid: string): Promise<{ current: PublicKeyInfo; retired: PublicKeyInfo | null }>;
  /** Withdraws a staged `next` key (-> `retired`). 409 for any other state. */
  retire(kid: string): Promise<PublicKeyInfo>;
  /**
   * Emergency: the key leaves the JWKS at once (-> `revoked`). Revoking `current` promotes the
   * staged `next` if there is one (already known to resource servers), else generates a new
   * `current` in the same transaction. Revoking a revoked key changes nothing (safe to retry).
   */
  revoke(kid: string): Promise<{ revoked: PublicKeyInfo; current: PublicKeyInfo }>;
  /** Deletes retired keys whose every token has expired; returns their kids. */
  removeExpired(): Promise<string[]>;
  /** Revoked keys whose tokens resource servers must still refuse, with until when. */
  revokedKeys(): Promise<{ kid: string; denyUntil: Date }[]>;
  /** One step of the automatic schedule: stage at half `days`, promote at `days`. */
  rotateOnSchedule(days: number): Promise<'staged' | 'promoted' | undefined>;
}

interface Row {
  kid: string;
  alg: string;
  status: KeyStatus;
  public_jwk: JWK;
  private_jwk: Buffer;
  master_key_id: string;
  created_at: Date;
  activated_at: Date | null;
  retired_at: Date | null;
  revoked_at: Date | null;
}

export const aadFor = (kid: string): AadContext => ({ purpose: 'signing-key', kid });
const date = (v: Date | string | null | undefined): Date | null => (v == null ? null : new Date(v));
/** Raw query results carry timestamps as strings: dates here, once. */
const rowsOf = (raw: Row[]): Row[] =>
  raw.map((row) => ({
    ...row,
    created_at: date(row.created_at)!,
    activated_at: date(row.activated_at),
    retired_at: date(row.retired_at),
    revoked_at: date(row.revoked_at),
  }));
/** Serializes every lifecycle change across instances (pg_advisory_xact_lock). */
const LIFECYCLE_LOCK = 7_000_601;
const PUBLISHED: KeyStatus[] = ['current', 'next', 'retired'];
const RANK: Record<KeyStatus, number> = { current: 0, next: 1, retired: 2, revoked: 3 };

/** Signing keys in Postgres, private parts sealed with the master key (invariant 6). */
export function createSigningKeyStore(deps: {
  orm: MikroORM;
  keyring: MasterKeyring;
  alg: string;
  timings: KeyTimings;
}): SigningKeyStore {
  const { orm, keyring, timings } = deps;
  const sec = (s: number) => s * 1000;

  const info = (row: Row): PublicKeyInfo => ({
    kid: row.kid,
    alg: row.alg,
    status: row.status,
    createdAt: row.created_at,
    activatedAt: row.activated_at,
    retiredAt: row.retired_at,
    revokedAt: row.revoked_at,
    promotableAt:
      row.status === 'next' ? new Date(row.created_at.getTime() + sec(timings.publishWaitSec)) : null,
    removeAfter:
      row.status === 'retired' && row.retired_at
        ? new Date(row.retired_at.getTime() + sec(timings.retentionSec))
        : null,
    denyUntil:
      row.status === 'revoked' && row.revoked_at
        ? new Date(row.revoked_at.getTime() + sec(timings.denySec))
        : null,
  });

  const query = async (em: EntityManager, sql: string, params: unknown[] = []) =>
    rowsOf(await em.execute<Row[]>(sql, params));

  /** Runs `work` in a transaction holding the lifecycle lock. */
  const locked = <T>(work: (em: EntityManager) => Promise<T>): Promise<T> =>
    orm.em.fork().transactional(async (em) => {
      // Waiting for another instance's lifecycle change (a key being generated) is expected:
      // longer than DB_LOCK_TIMEOUT_MS, which is for requests.
      await em.execute(`set local lock_timeout = '30s'`);
      await em.execute('select pg_advisory_xact_lock(?)', [LIFECYCLE_LOCK]);
      return work(em);
    });

  const find = async (em: EntityManager, kid: string): Promise<Row> => {
    const [row] = await query(em, 'select * from signing_key where kid = ?', [kid]);
    if (!row) throw new NotFoundError(`no signing key has kid ${JSON.stringify(kid)}`);
    return row;
  };
  const findStatus = async (em: EntityManager, status: KeyStatus): Promise<Row | undefined> =>
    (await query(em, 'select * from signing_key where status = ?', [status]))[0];
  const setStatus = async (em: EntityManager, kid: string, from: KeyStatus, to: KeyStatus) => {
    const stamp = { current: 'activated_at', retired: 'retired_at', revoked: 'revoked_at', next: null }[to];
    const rows = await query(
      em,
      `update signing_key set status = ?${stamp ? `, ${stamp} = now()` : ''}
       where kid = ? and status = ? returning *`,
      [to, kid, from],
    );
    if (!rows[0]) throw new ConflictError(`signing key ${kid} is no longer ${from}`);
    return rows[0];
  };

  async function generate(em: EntityManager, status: KeyStatus, alg = deps.alg): Promise<Row> {
    const { privateKey } = await generateKeyPair(alg, {
      extractable: true,
      crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
    });
    const jwk = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint(jwk);
    const privateJwk = { ...jwk, kid, alg, use: 'sig' };
    const sealed = keyring.wrap(Buffer.from(JSON.stringify(privateJwk)), aadFor(kid));
    const rows = await query(
      em,
      `insert into signing_key (kid, alg, status, public_jwk, private_jwk, master_key_id, created_at, activated_at)
       values (?, ?, ?, ?, ?, ?, now(), ${status === 'current' ? 'now()' : 'null'}) returning *`,
      [kid, alg, status, JSON.stringify(publicPart(privateJwk)), sealed.ciphertext, sealed.keyId],
    );
    return rows[0]!;
  }

  async function promoteLocked(em: EntityManager, kid: string) {
    const row = await find(em, kid);
    if (row.status !== 'next') {
      throw new ConflictError(`signing key ${kid} is ${row.status}; only a next key can be promoted`);
    }
    const promotableAt = info(row).promotableAt!;
    if (Date.now() < promotableAt.getTime()) {
      throw new ConflictError(
        `signing key ${kid} is published since ${row.created_at.toISOString()}; it may sign from ${promotableAt.toISOString()} (KEY_PUBLISH_WAIT_SEC), when every resource server can know it`,
      );
    }
    const old = await findStatus(em, 'current');
    const retired = old ? await setStatus(em, old.kid, 'current', 'retired') : null;
    const current = await setStatus(em, kid, 'next', 'current');
    return { current: info(current), retired: retired ? info(retired) : null };
  }

  const store: SigningKeyStore = {
    async ensureCurrent() {
      await locked(async (em) => {
        if (!(await findStatus(em, 'current'))) await generate(em, 'current');
      });
    },

    async version() {
      const rows = await query(
        orm.em.fork(),
        'select kid, status from signing_key where status in (?, ?, ?)',
        PUBLISHED,
      );
      return keySetVersion(rows);
    },

    async loadKeySet() {
      const rows = await query(
        orm.em.fork(),
        'select * from signing_key where status in (?, ?, ?)',
        PUBLISHED,
      );
      rows.sort((a, b) => RANK[a.status] - RANK[b.status] || b.created_at.getTime() - a.created_at.getTime());
      const current = rows[0];
      if (current?.status !== 'current') throw new Error('no current signing key (run ensureCurrent first)');
      const privateJwks = rows.map((row) => {
        const plain = keyring.unwrap(
          { keyId: row.master_key_id, ciphertext: row.private_jwk },
          aadFor(row.kid),
        );
        return JSON.parse(plain.toString('utf8')) as JWK;
      });
      return {
        version: keySetVersion(rows),
        current: { kid: current.kid, alg: current.alg },
        privateJwks,
        publicJwks: privateJwks.map(publicPart),
        algs: [...new Set(rows.map((row) => row.alg))],
      };
    },

    async list() {
      const rows = await query(orm.em.fork(), 'select * from signing_key order by created_at desc');
      return rows.map(info);
    },

    stage: (alg) =>
      locked(async (em) => {
        const staged = await findStatus(em, 'next');
        if (staged) {
          throw new ConflictError(
            `signing key ${staged.kid} is already staged as next; promote or retire it first`,
          );
        }
        return info(await generate(em, 'next', alg));
      }),

    promote: (kid) => locked((em) => promoteLocked(em, kid)),

    retire: (kid) =>
      locked(async (em) => {
        const row = await find(em, kid);
        if (row.status === 'current') {
          throw new ConflictError(
            `signing key ${kid} is current; promote a next key instead (that retires this one)`,
          );
        }
        if (row.status !== 'next') {
          throw new ConflictError(`signing key ${kid} is ${row.status}; only a next key can be retired`);
        }
        return info(await setStatus(em, kid, 'next', 'retired'));
      }),

    revoke: (kid) =>
      locked(async (em) => {
        const row = await find(em, kid);
        if (row.status === 'revoked') {
          return { revoked: info(row), current: info((await findStatus(em, 'current'))!) };
        }
        if (row.status !== 'current') {
          const revoked = await setStatus(em, kid, row.status, 'revoked');
          return { revoked: info(revoked), current: info((await findStatus(em, 'current'))!) };
        }
        const revoked = await setStatus(em, kid, 'current', 'revoked');
        const next = await findStatus(em, 'next');
        const current = next
          ? await setStatus(em, next.kid, 'next', 'current')
          : await generate(em, 'current');
        return { revoked: info(revoked), current: info(current) };
      }),

    async removeExpired() {
      const rows = await query(
        orm.em.fork(),
        `delete from signing_key where status = 'retired'
         and retired_at < now() - make_interval(secs => ?) returning kid`,
        [timings.retentionSec],
      );
      return rows.map((row) => row.kid);
    },

    async revokedKeys() {
      const rows = await query(
        orm.em.fork(),
        `select * from signing_key where status = 'revoked'
         and revoked_at > now() - make_interval(secs => ?)`,
        [timings.denySec],
      );
      return rows.map((row) => ({ kid: row.kid, denyUntil: info(row).denyUntil! }));
    },

    rotateOnSchedule: (days) =>
      locked(async (em) => {
        const current = await findStatus(em, 'current');
        if (!current) return undefined;
        const age = Date.now() - (current.activated_at ?? current.created_at).getTime();
        const next = await findStatus(em, 'next');
        if (!next) {
          if (age < (days * 86_400_000) / 2) return undefined;
          await generate(em, 'next');
          return 'staged';
        }
        if (age < days * 86_400_000 || Date.now() < info(next).promotableAt!.getTime()) return undefined;
        await promoteLocked(em, next.kid);
        return 'promoted';
      }),
  };
  return store;
}
