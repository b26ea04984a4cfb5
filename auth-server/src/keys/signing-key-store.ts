import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { AadContext, MasterKeyring } from '@vectorauth/shared';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { type KeySet, keySetVersion, publicPart } from './key-set.ts';
import { type KeyTimings, type PublicKeyInfo, publicKeyInfo } from './public-key-info.ts';
import { createSigningKeyLifecycle } from './signing-key-lifecycle.ts';
import type { KeyStatus, SigningKeyRow } from './signing-key-row.ts';
import { signingKeyRows as rows } from './signing-key-rows.ts';

export type { KeyStatus, KeyTimings, PublicKeyInfo };

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

export const aadFor = (kid: string): AadContext => ({ purpose: 'signing-key', kid });
const PUBLISHED = "where status in ('current', 'next', 'retired')";
const RANK: Record<KeyStatus, number> = { current: 0, next: 1, retired: 2, revoked: 3 };

/** Signing keys in Postgres, private parts sealed with the master key (invariant 6). */
export function createSigningKeyStore(deps: {
  orm: MikroORM;
  keyring: MasterKeyring;
  alg: string;
  timings: KeyTimings;
}): SigningKeyStore {
  const { orm, keyring, timings } = deps;
  const em = () => orm.em.fork();

  async function generate(tx: EntityManager, status: KeyStatus, alg = deps.alg): Promise<SigningKeyRow> {
    const { privateKey } = await generateKeyPair(alg, {
      extractable: true,
      crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
    });
    const jwk = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint(jwk);
    const privateJwk = { ...jwk, kid, alg, use: 'sig' };
    const sealed = keyring.wrap(Buffer.from(JSON.stringify(privateJwk)), aadFor(kid));
    return rows.insert(tx, { kid, alg, status, publicJwk: publicPart(privateJwk), sealed });
  }

  return {
    ...createSigningKeyLifecycle({ orm, timings, generate }),
    version: async () =>
      keySetVersion(
        await em().execute<{ kid: string; status: string }[]>(
          `select kid, status from signing_key ${PUBLISHED}`,
        ),
      ),
    loadKeySet: async () => unsealKeySet(await rows.select(em(), PUBLISHED), keyring),
    list: async () =>
      (await rows.select(em(), 'order by created_at desc')).map((row) => publicKeyInfo(row, timings)),
    removeExpired: () => rows.removeRetired(em(), timings.retentionSec),
    async revokedKeys() {
      const revoked = await rows.select(
        em(),
        "where status = 'revoked' and revoked_at > now() - make_interval(secs => ?)",
        [timings.denySec],
      );
      return revoked.map((row) => ({ kid: row.kid, denyUntil: publicKeyInfo(row, timings).denyUntil! }));
    },
  };
}

/** The published keys as oidc-provider takes them: `current` first, private parts unsealed. */
function unsealKeySet(published: SigningKeyRow[], keyring: MasterKeyring): KeySet {
  const sorted = [...published].sort(
    (a, b) => RANK[a.status] - RANK[b.status] || b.createdAt.getTime() - a.createdAt.getTime(),
  );
  const current = sorted[0];
  if (current?.status !== 'current') throw new Error('no current signing key (run ensureCurrent first)');
  const privateJwks = sorted.map((row) => {
    const plain = keyring.unwrap({ keyId: row.masterKeyId, ciphertext: row.privateJwk }, aadFor(row.kid));
    return JSON.parse(plain.toString('utf8')) as JWK;
  });
  return {
    version: keySetVersion(sorted),
    current: { kid: current.kid, alg: current.alg },
    privateJwks,
    publicJwks: privateJwks.map(publicPart),
    algs: [...new Set(sorted.map((row) => row.alg))],
  };
}
