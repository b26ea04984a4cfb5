import { expect } from 'chai';
import { apiKeyHash, newApiKey } from '../../../src/auth/api-key-format.ts';
import type { ApiKeyRecord, ApiKeyRecords } from '../../../src/auth/api-key-records.ts';
import { createApiKeyVerifier } from '../../../src/auth/api-key-verifier.ts';
import { InvalidTokenError, ServiceUnavailableError } from '../../../src/errors/errors.ts';

/** Records in a map, counting lookups; `down` makes every lookup fail as Redis would. */
function memoryRecords() {
  const byHash = new Map<string, ApiKeyRecord>();
  const used = new Map<string, number>();
  const state = { finds: 0, down: false, marks: 0 };
  const records: ApiKeyRecords = {
    async publish(hash, record) {
      byHash.set(hash, record);
    },
    async withdraw(hash) {
      byHash.delete(hash);
    },
    async find(hash) {
      state.finds++;
      await Promise.resolve();
      if (state.down) throw new Error('redis is away');
      return byHash.get(hash);
    },
    async markUsed(id, at) {
      state.marks++;
      used.set(id, at);
    },
    async lastUsed(ids) {
      return new Map(ids.filter((id) => used.has(id)).map((id) => [id, used.get(id) as number]));
    },
  };
  return { records, state, used };
}

async function refused(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('it was accepted');
}

describe('createApiKeyVerifier', () => {
  let clock = 1_800_000_000_000;
  const now = () => clock;
  const record = (id: string, exp = clock / 1000 + 3600): ApiKeyRecord => ({
    id,
    sub: 'person',
    scope: 'vectors:read vectors:write',
    iat: Math.floor(clock / 1000) - 10,
    exp: Math.floor(exp),
  });

  it('gives the key as claims: the person, its scopes, its id as jti and apiKeyId', async () => {
    const { records } = memoryRecords();
    const key = newApiKey();
    await records.publish(apiKeyHash(key), record('k1'));
    const claims = await createApiKeyVerifier({ records, now }).verify(key);
    expect(claims.sub).to.equal('person');
    expect([...claims.scopes]).to.deep.equal(['vectors:read', 'vectors:write']);
    expect(claims.jti).to.equal('k1');
    expect(claims.apiKeyId).to.equal('k1');
    expect(claims.clientId).to.equal('api-key:k1');
    expect(claims.jkt).to.equal(undefined);
  });

  it("a client's key names that client, so the client's quota applies", async () => {
    const { records } = memoryRecords();
    const key = newApiKey();
    await records.publish(apiKeyHash(key), { ...record('k2'), sub: 'client-a', clientId: 'client-a' });
    expect((await createApiKeyVerifier({ records, now }).verify(key)).clientId).to.equal('client-a');
  });

  it('looks a key up once, then answers from memory; concurrent first uses share one lookup', async () => {
    const { records, state } = memoryRecords();
    const key = newApiKey();
    await records.publish(apiKeyHash(key), record('k3'));
    const verifier = createApiKeyVerifier({ records, now });
    await Promise.all([verifier.verify(key), verifier.verify(key), verifier.verify(key)]);
    await verifier.verify(key);
    expect(state.finds).to.equal(1);
  });

  it('refuses a lookalike without any lookup', async () => {
    const { records, state } = memoryRecords();
    const verifier = createApiKeyVerifier({ records, now });
    const key = newApiKey();
    const err = await refused(verifier.verify(`${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`));
    expect(err).to.be.instanceOf(InvalidTokenError);
    expect(err.message).to.contain('malformed');
    expect(state.finds).to.equal(0);
  });

  it('remembers an unknown key briefly, so a flood of one costs one lookup', async () => {
    const { records, state } = memoryRecords();
    const verifier = createApiKeyVerifier({ records, now, unknownMs: 10_000 });
    const key = newApiKey();
    for (let i = 0; i < 5; i++)
      expect(await refused(verifier.verify(key))).to.be.instanceOf(InvalidTokenError);
    expect(state.finds).to.equal(1);
    clock += 10_001;
    await refused(verifier.verify(key));
    expect(state.finds).to.equal(2);
  });

  it('refuses a remembered key from the second it expires', async () => {
    const { records } = memoryRecords();
    const key = newApiKey();
    await records.publish(apiKeyHash(key), record('k4', clock / 1000 + 5));
    const verifier = createApiKeyVerifier({ records, now });
    await verifier.verify(key);
    clock += 5_000;
    const err = await refused(verifier.verify(key));
    expect(err.message).to.contain('expired');
  });

  it('looks a remembered key up again after refreshMs (a withdrawn record is then refused)', async () => {
    const { records, state } = memoryRecords();
    const key = newApiKey();
    await records.publish(apiKeyHash(key), record('k5'));
    const verifier = createApiKeyVerifier({ records, now, refreshMs: 60_000 });
    await verifier.verify(key);
    await records.withdraw(apiKeyHash(key), 'k5');
    await verifier.verify(key); // within refreshMs: from memory (revocation is the caller's check)
    clock += 60_000;
    expect(await refused(verifier.verify(key))).to.be.instanceOf(InvalidTokenError);
    expect(state.finds).to.equal(2);
  });

  it('answers 503 when the records cannot be read, and remembers nothing of it', async () => {
    const { records, state } = memoryRecords();
    const key = newApiKey();
    await records.publish(apiKeyHash(key), record('k6'));
    const verifier = createApiKeyVerifier({ records, now });
    state.down = true;
    expect(await refused(verifier.verify(key))).to.be.instanceOf(ServiceUnavailableError);
    state.down = false;
    expect((await verifier.verify(key)).jti).to.equal('k6');
  });

  it('tells each key’s use at most once per usedEveryMs', async () => {
    const { records, state, used } = memoryRecords();
    const key = newApiKey();
    await records.publish(apiKeyHash(key), record('k7'));
    const verifier = createApiKeyVerifier({ records, now, usedEveryMs: 60_000 });
    for (let i = 0; i < 10; i++) await verifier.verify(key);
    expect(state.marks).to.equal(1);
    expect(used.get('k7')).to.equal(clock);
    clock += 60_000;
    await verifier.verify(key);
    expect(state.marks).to.equal(2);
  });

  it('keeps at most `capacity` keys in memory', async () => {
    const { records } = memoryRecords();
    const verifier = createApiKeyVerifier({ records, now, capacity: 3 });
    for (let i = 0; i < 6; i++) {
      const key = newApiKey();
      await records.publish(apiKeyHash(key), record(`c${i}`));
      await verifier.verify(key);
    }
    expect(verifier.size).to.equal(3);
  });
});
