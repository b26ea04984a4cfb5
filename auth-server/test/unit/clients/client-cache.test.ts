import { expect } from 'chai';
import type { AdapterPayload } from 'oidc-provider';
import { createClientCache } from '../../../src/clients/client-cache.ts';

/** Postgres as the cache sees it: rows by id, and how often each was read. */
function fakeRows() {
  const rows = new Map<string, AdapterPayload>();
  const reads = new Map<string, number>();
  const read = (id: string) => async () => {
    reads.set(id, (reads.get(id) ?? 0) + 1);
    const row = rows.get(id);
    return row ? structuredClone(row) : undefined;
  };
  return { rows, read, reads: (id: string) => reads.get(id) ?? 0 };
}

describe('the client cache (clients from memory)', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  /** Postgres holding `rows`, and a cache in front of it that hears change notices. */
  const listening = (rows: Record<string, AdapterPayload>, settings = { ttlSec: 30, maxEntries: 10 }) => {
    const db = fakeRows();
    for (const [id, row] of Object.entries(rows)) db.rows.set(id, row);
    const cache = createClientCache(settings, now);
    cache.setListening(true);
    return { db, cache };
  };

  it('serves a client from memory while listening, until its TTL', async () => {
    const { db, cache } = listening({ c1: { client_id: 'c1', scope: 'a' } });
    expect(await cache.find('c1', db.read('c1'))).to.deep.equal({ client_id: 'c1', scope: 'a' });
    expect(await cache.find('c1', db.read('c1'))).to.deep.equal({ client_id: 'c1', scope: 'a' });
    expect(db.reads('c1')).to.equal(1);
    // A change nobody announced (a lost notice) is seen once the TTL has passed, not later.
    db.rows.set('c1', { client_id: 'c1', scope: 'b' });
    clock += 29_999;
    expect(await cache.find('c1', db.read('c1'))).to.deep.include({ scope: 'a' });
    clock += 1;
    expect(await cache.find('c1', db.read('c1'))).to.deep.include({ scope: 'b' });
    expect(db.reads('c1')).to.equal(2);
  });

  it('reads Postgres every time while it cannot hear change notices, and drops all when that changes', async () => {
    const db = fakeRows();
    db.rows.set('c1', { client_id: 'c1' });
    const cache = createClientCache({ ttlSec: 30, maxEntries: 10 }, now);
    await cache.find('c1', db.read('c1'));
    await cache.find('c1', db.read('c1'));
    expect(db.reads('c1')).to.equal(2);
    cache.setListening(true);
    await cache.find('c1', db.read('c1'));
    expect(cache.size).to.equal(1);
    cache.setListening(false);
    expect(cache.size).to.equal(0);
    db.rows.delete('c1');
    expect(await cache.find('c1', db.read('c1'))).to.equal(undefined);
    // Listening again (a reconnect): notices sent meanwhile are lost, so nothing old is kept.
    db.rows.set('c1', { client_id: 'c1', scope: 'new' });
    cache.setListening(true);
    expect(await cache.find('c1', db.read('c1'))).to.deep.include({ scope: 'new' });
  });

  it('forgets a changed client; a deleted client is not found and not remembered as missing', async () => {
    const { db, cache } = listening({ c1: { client_id: 'c1' } });
    await cache.find('c1', db.read('c1'));
    db.rows.delete('c1');
    cache.forget('c1');
    expect(await cache.find('c1', db.read('c1'))).to.equal(undefined);
    db.rows.set('c1', { client_id: 'c1', again: true });
    expect(await cache.find('c1', db.read('c1'))).to.deep.include({ again: true });
  });

  it('does not keep a read that a change overtook (it may predate the change)', async () => {
    const { cache } = listening({});
    let release: (payload: AdapterPayload) => void = () => undefined;
    const slow = cache.find('c1', () => new Promise((resolve) => (release = resolve)));
    cache.forget('c1');
    release({ client_id: 'c1', scope: 'old' });
    expect(await slow).to.deep.include({ scope: 'old' });
    expect(cache.size).to.equal(0);
  });

  it('holds at most maxEntries, the least recently used going first', async () => {
    const { db, cache } = listening(
      { a: { client_id: 'a' }, b: { client_id: 'b' }, c: { client_id: 'c' } },
      { ttlSec: 30, maxEntries: 2 },
    );
    await cache.find('a', db.read('a'));
    await cache.find('b', db.read('b'));
    await cache.find('a', db.read('a'));
    await cache.find('c', db.read('c'));
    expect(cache.size).to.equal(2);
    await cache.find('a', db.read('a'));
    await cache.find('b', db.read('b'));
    expect(db.reads('a')).to.equal(1);
    expect(db.reads('b')).to.equal(2);
  });

  it('what a reader changes never reaches the next request: hits are frozen, the miss its own', async () => {
    const { db, cache } = listening({ c1: { client_id: 'c1', grant_types: ['client_credentials'] } });
    const first = await cache.find('c1', db.read('c1'));
    (first!.grant_types as string[]).push('refresh_token');
    const second = await cache.find('c1', db.read('c1'));
    expect(() => (second!.grant_types as string[]).push('implicit')).to.throw(TypeError);
    expect(() => Object.assign(second!, { client_secret: 'x' })).to.throw(TypeError);
    expect((await cache.find('c1', db.read('c1')))!.grant_types).to.deep.equal(['client_credentials']);
    expect(db.reads('c1')).to.equal(1);
  });

  it('keeps nothing with a TTL of 0', async () => {
    const { db, cache } = listening({ c1: { client_id: 'c1' } }, { ttlSec: 0, maxEntries: 10 });
    await cache.find('c1', db.read('c1'));
    await cache.find('c1', db.read('c1'));
    expect(db.reads('c1')).to.equal(2);
    expect(cache.size).to.equal(0);
  });
});
