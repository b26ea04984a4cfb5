import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { connectTestDatabase } from '../../support/scratch-database.ts';
import { type ApiResponse, type Harness, startHarness } from '../../support/vector-api-harness.ts';

type Db = Awaited<ReturnType<typeof connectTestDatabase>>;

describe('encryption at rest: rows moved between principals or records fail to decrypt', () => {
  // A swapped data key fails authentication: refused with a 5xx, logged.
  expectLogLines([
    { service: 'vector-api', level: 'error', msg: 'request failed' },
    { service: 'vector-api', level: 'warn', msg: 'stored data failed authentication: encrypted row refused' },
  ]);
  let h: Harness;
  let db: Db;
  const alice = { sub: `alice-${randomUUID()}`, token: '', name: `a-${randomUUID().slice(0, 8)}`, id: '' };
  const bob = { sub: `bob-${randomUUID()}`, token: '', name: `b-${randomUUID().slice(0, 8)}`, id: '' };

  async function collectionId(sub: string, name: string): Promise<string> {
    const [row] = await db.query<{ id: string }>(
      'select id from collection where principal = $1 and name = $2',
      [sub, name],
    );
    return row!.id;
  }
  const payloadOf = async (collection: string, id: string) =>
    (
      await db.query<{ payload: Buffer }>(
        'select payload from vector_record where collection_id = $1 and id = $2',
        [collection, id],
      )
    )[0]!.payload;
  const setPayload = (collection: string, id: string, payload: Buffer) =>
    db.query('update vector_record set payload = $3 where collection_id = $1 and id = $2', [
      collection,
      id,
      payload,
    ]);

  function expectUnreadable(res: ApiResponse, leaked: string[]) {
    expect(res.status, JSON.stringify(res.body)).to.equal(409);
    expect(res.body.error).to.equal('stored_data_unreadable');
    for (const secret of leaked) expect(res.text).not.to.contain(secret);
  }

  before(async () => {
    h = await startHarness();
    db = await connectTestDatabase();
    for (const p of [alice, bob]) {
      p.token = await h.issuer.sign({ sub: p.sub });
      const put = await h.seed(p.token, p.name, 3, [
        { id: 'x', vector: [1, 2, 3], metadata: { owner: `${p.sub}-x` } },
        { id: 'y', vector: [4, 5, 6], metadata: { owner: `${p.sub}-y` } },
      ]);
      expect(put.status).to.equal(200);
      p.id = await collectionId(p.sub, p.name);
    }
  });
  after(async () => {
    await h?.close();
    await db?.close();
  });

  it("refuses another principal's row copied over one's own, and never shows its data", async () => {
    const original = await payloadOf(alice.id, 'x');
    await setPayload(alice.id, 'x', await payloadOf(bob.id, 'x'));
    expectUnreadable(await h.call('GET', `/v1/collections/${alice.name}/vectors/x`, { token: alice.token }), [
      `${bob.sub}-x`,
    ]);
    await setPayload(alice.id, 'x', original);
    const back = await h.call('GET', `/v1/collections/${alice.name}/vectors/x`, { token: alice.token });
    expect(back.body).to.deep.equal({ id: 'x', vector: [1, 2, 3], metadata: { owner: `${alice.sub}-x` } });
  });

  it('refuses two records of one principal swapped with each other', async () => {
    const x = await payloadOf(alice.id, 'x');
    const y = await payloadOf(alice.id, 'y');
    await setPayload(alice.id, 'x', y);
    await setPayload(alice.id, 'y', x);
    expectUnreadable(await h.call('GET', `/v1/collections/${alice.name}/vectors/x`, { token: alice.token }), [
      `${alice.sub}-y`,
    ]);
    expectUnreadable(await h.call('GET', `/v1/collections/${alice.name}/vectors/y`, { token: alice.token }), [
      `${alice.sub}-x`,
    ]);
    await setPayload(alice.id, 'x', x);
    await setPayload(alice.id, 'y', y);
  });

  it('refuses an older ciphertext of the same record put back (bound to its version)', async () => {
    const old = await payloadOf(alice.id, 'x');
    await h.call('PUT', `/v1/collections/${alice.name}/vectors`, {
      token: alice.token,
      body: { vectors: [{ id: 'x', vector: [7, 8, 9], metadata: { owner: 'newer' } }] },
    });
    await setPayload(alice.id, 'x', old);
    expectUnreadable(await h.call('GET', `/v1/collections/${alice.name}/vectors/x`, { token: alice.token }), [
      `${alice.sub}-x`,
    ]);
  });

  it('refuses to search a collection holding a foreign row, until the owner overwrites it', async () => {
    await setPayload(alice.id, 'y', await payloadOf(bob.id, 'y'));
    await h.restart(); // the next search loads from the rows
    const search = () =>
      h.call('POST', `/v1/collections/${alice.name}/search`, {
        token: alice.token,
        body: { vector: [4, 5, 6], k: 2 },
      });
    const refused = await search();
    expectUnreadable(refused, [`${bob.sub}-y`]);
    expect(refused.body.message).to.match(/^stored vector "[xy]"/);
    await h.call('PUT', `/v1/collections/${alice.name}/vectors`, {
      token: alice.token,
      body: {
        vectors: [
          { id: 'x', vector: [1, 2, 3] },
          { id: 'y', vector: [4, 5, 6] },
        ],
      },
    });
    const ok = await search();
    expect(ok.status).to.equal(200);
    expect(ok.body.results.map((r: { id: string }) => r.id)).to.deep.equal(['y', 'x']);
  });

  it("refuses a data key row swapped with another principal's (503 data_key_unavailable)", async () => {
    const keys = await db.query<{ principal: string; data_key_id: string; wrapped: Buffer }>(
      'select principal, data_key_id, wrapped from principal_key where principal = any($1)',
      [[alice.sub, bob.sub]],
    );
    const a = keys.find((k) => k.principal === alice.sub)!;
    const b = keys.find((k) => k.principal === bob.sub)!;
    // bob's wrapped key under alice's row: its AAD names bob and bob's key id, so it does not open
    expect(b.data_key_id).to.not.equal(a.data_key_id);
    await db.query('update principal_key set wrapped = $2 where principal = $1', [alice.sub, b.wrapped]);
    await h.restart(); // forget the unwrapped key cached in memory
    const res = await h.call('GET', `/v1/collections/${alice.name}/vectors/x`, { token: alice.token });
    expect(res.status).to.equal(503);
    expect(res.body.error).to.equal('data_key_unavailable');
    await db.query('update principal_key set wrapped = $2 where principal = $1', [alice.sub, a.wrapped]);
    expect(
      (await h.call('GET', `/v1/collections/${alice.name}/vectors/x`, { token: alice.token })).status,
    ).to.equal(200);
  });
});
