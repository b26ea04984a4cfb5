import { randomBytes } from 'node:crypto';
import { createMasterKeyring, createOrm, type MikroORM } from '@vectorauth/shared';
import { expect } from 'chai';
import type { AdapterPayload } from 'oidc-provider';
import { AUTH_MIGRATIONS } from '../../../src/migrations/auth-migrations.ts';
import {
  ACCOUNT_CLIENT_ID,
  accountClientMetadata,
  ensureAccountClient,
} from '../../../src/oidc/account-client.ts';
import { createPostgresAdapter } from '../../../src/oidc/postgres-adapter.ts';
import { testEnv } from '../../support/test-env.ts';

/**
 * Every instance ensures the account client at boot. A write announces a client change over
 * Redis, which a booting instance cannot always send yet (a rolling restart logged it as a warn):
 * an unchanged client is therefore not written again, a changed one is.
 */
describe('the account client at boot: written when new or changed, never again when unchanged', () => {
  let orm: MikroORM;
  let writes: string[];
  let Adapter: ReturnType<typeof createPostgresAdapter>;

  before(async () => {
    orm = await createOrm({ url: testEnv().databaseUrl, migrations: AUTH_MIGRATIONS, poolMax: 4 });
    const Stored = createPostgresAdapter({
      orm,
      keyring: createMasterKeyring([randomBytes(32).toString('base64')]),
    });
    writes = [];
    // The real adapter, with its client writes counted.
    Adapter = class extends Stored {
      override async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
        writes.push(id);
        return super.upsert(id, payload, expiresIn);
      }
    };
  });
  after(() => orm.close());

  it('writes it for a new issuer, not again for the same one, and again when the issuer changes', async () => {
    const issuer = `http://localhost:${40000 + Math.floor(Math.random() * 20000)}`;
    await ensureAccountClient(Adapter, issuer);
    await ensureAccountClient(Adapter, issuer);
    expect(writes.filter((id) => id === ACCOUNT_CLIENT_ID)).to.have.length(1);
    expect(await new Adapter('Client').find(ACCOUNT_CLIENT_ID)).to.deep.equal(accountClientMetadata(issuer));
    await ensureAccountClient(Adapter, `${issuer}0`);
    expect(writes.filter((id) => id === ACCOUNT_CLIENT_ID)).to.have.length(2);
  });
});
