import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { MasterKeyring } from '@vectorauth/shared';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { SigningKey, type SigningKeyRow } from './signing-key-entity.ts';

export interface PublicKeyInfo {
  kid: string;
  alg: string;
  status: SigningKeyRow['status'];
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
}

export interface SigningKeyStore {
  /** Makes sure one `current` key exists; the first start of an installation generates it. */
  ensureCurrent(): Promise<void>;
  /** Private JWKs for oidc-provider: `current` first (it signs), then `next` and `retired` (published). */
  loadPrivateJwks(): Promise<JWK[]>;
  list(): Promise<PublicKeyInfo[]>;
}

const aadFor = (kid: string) => `signing-key:${kid}`;

/** Signing keys in Postgres, private parts sealed with the master key (invariant 6). */
export function createSigningKeyStore(deps: {
  orm: MikroORM;
  keyring: MasterKeyring;
  alg: string;
}): SigningKeyStore {
  const { orm, keyring, alg } = deps;

  async function generate(status: SigningKeyRow['status']): Promise<void> {
    const { privateKey } = await generateKeyPair(alg, {
      extractable: true,
      crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
    });
    const jwk = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint(jwk);
    const { d, p, q, dp, dq, qi, ...publicJwk } = jwk;
    const privateJwk = { ...jwk, kid, alg, use: 'sig' };
    const sealed = keyring.wrap(Buffer.from(JSON.stringify(privateJwk)), aadFor(kid));
    const em = orm.em.fork();
    em.create(SigningKey, {
      kid,
      alg,
      status,
      publicJwk: { ...publicJwk, kid, alg, use: 'sig' },
      privateJwk: sealed.ciphertext,
      masterKeyId: sealed.keyId,
      activatedAt: status === 'current' ? new Date() : null,
      retiredAt: null,
    });
    await em.flush();
  }

  return {
    async ensureCurrent() {
      const existing = await orm.em.fork().count(SigningKey, { status: 'current' });
      if (existing > 0) return;
      try {
        await generate('current');
      } catch (err) {
        // Another instance generated the current key at the same moment: the unique index chose it.
        if (!(err instanceof UniqueConstraintViolationException)) throw err;
      }
    },

    async loadPrivateJwks() {
      const rows = await orm.em.fork().find(SigningKey, { status: { $in: ['current', 'next', 'retired'] } });
      const rank = { current: 0, next: 1, retired: 2, revoked: 3 } as const;
      rows.sort((a, b) => rank[a.status] - rank[b.status] || b.createdAt.getTime() - a.createdAt.getTime());
      return rows.map((row) => {
        const plain = keyring.unwrap(
          { keyId: row.masterKeyId, ciphertext: Buffer.from(row.privateJwk) },
          aadFor(row.kid),
        );
        return JSON.parse(plain.toString('utf8')) as JWK;
      });
    },

    async list() {
      const rows = await orm.em.fork().find(SigningKey, {}, { orderBy: { createdAt: 'desc' } });
      return rows.map(({ kid, alg: a, status, createdAt, activatedAt, retiredAt }) => ({
        kid,
        alg: a,
        status,
        createdAt,
        activatedAt: activatedAt ?? null,
        retiredAt: retiredAt ?? null,
      }));
    },
  };
}
