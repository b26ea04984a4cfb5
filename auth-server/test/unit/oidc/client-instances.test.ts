import { expect } from 'chai';
import { type AdapterPayload, Provider } from 'oidc-provider';
import { createClientCache } from '../../../src/clients/client-cache.ts';
import { reuseClientInstances } from '../../../src/oidc/client-instances.ts';
import { testKeySet } from '../../support/test-provider.ts';

/**
 * A real Provider whose clients are read through a real client cache in front of `rows` (Postgres
 * as the adapter sees it), with `Client` objects reused as the auth server reuses them.
 */
async function providerWithCachedClients() {
  const rows = new Map<string, AdapterPayload>();
  let reads = 0;
  let adapterFinds = 0;
  const cache = createClientCache({ ttlSec: 30, maxEntries: 10 });
  cache.setListening(true);
  class ClientRows {
    async find(id: string) {
      adapterFinds++;
      return cache.find(id, async () => {
        reads++;
        const row = rows.get(id);
        return row ? structuredClone(row) : undefined;
      });
    }
    async upsert() {}
    async findByUid() {
      return undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume() {}
    async destroy() {}
    async revokeByGrantId() {}
  }
  const provider = new Provider('http://localhost:3000', {
    adapter: ClientRows,
    jwks: { keys: (await testKeySet('k1')).privateJwks },
    cookies: { keys: ['client-instances'] },
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
  });
  reuseClientInstances(provider, cache.peek);
  const client = (id: string, secret: string): AdapterPayload => ({
    client_id: id,
    client_secret: secret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    id_token_signed_response_alg: 'ES256',
  });
  return { provider, rows, cache, client, reads: () => reads, adapterFinds: () => adapterFinds };
}

describe('Client objects reused while the client cache holds the same payload', () => {
  it('finds the same Client again without asking the adapter (nothing serialised or hashed)', async () => {
    const { provider, rows, client, reads, adapterFinds } = await providerWithCachedClients();
    rows.set('c1', client('c1', 'secret-one'));
    const first = await provider.Client.find('c1'); // read from the rows into the cache
    const second = await provider.Client.find('c1'); // from the cache, through oidc-provider's find
    expect(first?.clientSecret).to.equal('secret-one');
    for (let i = 0; i < 5; i++) expect(await provider.Client.find('c1')).to.equal(second);
    expect(reads()).to.equal(1);
    // oidc-provider's own find asks the adapter (and hashes its answer) on every call.
    expect(adapterFinds()).to.equal(2);
  });

  it('builds a new Client once the client changed (its secret rotated), never the old one', async () => {
    const { provider, rows, cache, client } = await providerWithCachedClients();
    rows.set('c1', client('c1', 'secret-one'));
    await provider.Client.find('c1');
    const before = await provider.Client.find('c1');
    rows.set('c1', client('c1', 'secret-two'));
    cache.forget('c1'); // the change notice
    const after = await provider.Client.find('c1');
    expect(after).to.not.equal(before);
    expect(after?.clientSecret).to.equal('secret-two');
    expect((await provider.Client.find('c1'))?.clientSecret).to.equal('secret-two');
  });

  it('finds no client once it is deleted', async () => {
    const { provider, rows, cache, client } = await providerWithCachedClients();
    rows.set('c1', client('c1', 'secret-one'));
    await provider.Client.find('c1');
    await provider.Client.find('c1');
    rows.delete('c1');
    cache.forget('c1');
    expect(await provider.Client.find('c1')).to.equal(undefined);
  });

  it('keeps nothing while the cache cannot hear change notices (every find reads)', async () => {
    const { provider, rows, cache, client, reads } = await providerWithCachedClients();
    rows.set('c1', client('c1', 'secret-one'));
    cache.setListening(false);
    await provider.Client.find('c1');
    rows.set('c1', client('c1', 'secret-two'));
    expect((await provider.Client.find('c1'))?.clientSecret).to.equal('secret-two');
    expect(reads()).to.equal(2);
  });

  it('answers an id that is not a string as oidc-provider does', async () => {
    const { provider } = await providerWithCachedClients();
    expect(await provider.Client.find(undefined as unknown as string)).to.equal(undefined);
  });
});
