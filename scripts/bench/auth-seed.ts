import { randomBytes } from 'node:crypto';
import { createMasterKeyring } from '@vectorauth/shared';
import pg from 'pg';
import { createClientSecretSeal } from '../../auth-server/src/clients/client-secret-seal.ts';

/** A bcrypt hash of nothing in particular: seeded accounts are never signed in to. */
const SEED_PASSWORD_HASH = '$2b$12$Pc9fW7d4cWQ3T0i0fN9jUOh0cG2y9Fq4xvXx3m7G1QbZp2pB8sJ5u';

export interface SeededClient {
  clientId: string;
  clientSecret: string;
}

/**
 * Fills an auth-server database fast, in the shapes its migrations define: `accounts` rows of
 * `account` (verified, bcrypt-shaped hash) and `clients` client-credentials clients as
 * `oidc_model` rows exactly as the adapter writes them (a copy of `templateClientId`'s payload,
 * made through the admin API, with its own id and its own secret sealed under the master key and
 * bound to that id), each owned by a seeded account in `client_owner` when there are accounts.
 * One `insert ... select generate_series` per table, then ANALYZE.
 */
export async function seedAuthDatabase(options: {
  databaseUrl: string;
  masterKeys: readonly string[];
  templateClientId: string;
  accounts: number;
  clients: number;
  /** Client ids are `${prefix}${n}`, n from 1. */
  clientPrefix: string;
}): Promise<SeededClient[]> {
  const seal = createClientSecretSeal(createMasterKeyring(options.masterKeys));
  const clients: SeededClient[] = [];
  const sealed: unknown[] = [];
  for (let n = 1; n <= options.clients; n++) {
    const clientId = `${options.clientPrefix}${n}`;
    const clientSecret = randomBytes(32).toString('base64url');
    clients.push({ clientId, clientSecret });
    sealed.push(seal.seal(clientId, { client_secret: clientSecret }).sealed_client_secret);
  }
  const db = new pg.Client({ connectionString: options.databaseUrl });
  await db.connect();
  try {
    await db.query(
      `insert into account (id, email, email_verified, password_hash)
       select gen_random_uuid(), 'seed-' || g || '@example.com', true, $1
       from generate_series(1, $2::int) g`,
      [SEED_PASSWORD_HASH, options.accounts],
    );
    const { rowCount } = await db.query(
      `insert into oidc_model (model, id, payload)
       select 'Client', $1 || g, t.payload - 'client_secret' || jsonb_build_object(
         'client_id', $1 || g, 'client_name', 'seed ' || g, 'sealed_client_secret', $3::jsonb -> (g - 1))
       from (select payload from oidc_model where model = 'Client' and id = $2) t, generate_series(1, $4::int) g`,
      [options.clientPrefix, options.templateClientId, JSON.stringify(sealed), options.clients],
    );
    if (rowCount !== options.clients)
      throw new Error(`seeding: template client ${options.templateClientId} not found`);
    if (options.accounts > 0) {
      await db.query(
        `insert into client_owner (client_id, account_id)
         select $1 || n, id from (
           select id, row_number() over (order by email) as n from account where email like 'seed-%'
         ) a where n <= $2::int`,
        [options.clientPrefix, options.clients],
      );
    }
    await db.query('analyze');
  } finally {
    await db.end();
  }
  return clients;
}
