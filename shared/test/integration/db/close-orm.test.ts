import { expect } from 'chai';
import { closeOrm } from '../../../src/db/close-orm.ts';
import { createOrm } from '../../../src/db/create-orm.ts';

/**
 * A connection lent out and never given back (an operation cut short, e.g. by an outage, while
 * its transaction awaited something that never came) would keep a pool's `end()` waiting for
 * ever, and with it a service's shutdown. `closeOrm` waits a grace period, then cuts it.
 */
describe('closeOrm (real Postgres)', () => {
  it('closes within its grace period although a transaction never gives its connection back', async () => {
    if (!process.env.DATABASE_URL) throw new Error('run through `npm test` (DATABASE_URL)');
    const orm = await createOrm({ url: process.env.DATABASE_URL, migrations: [] });
    const em = orm.em.fork();
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    // A transaction whose work never ends: it holds its connection.
    const stuck = em
      .transactional(async (tx) => {
        await tx.execute('select 1');
        entered();
        await new Promise(() => {});
      })
      .catch((err: unknown) => err);
    await inside;
    const started = Date.now();
    await closeOrm(orm, 300);
    const tookMs = Date.now() - started;
    expect(tookMs).to.be.at.least(250).and.below(10_000);
    void stuck;
  });

  it('closes at once when every connection is back', async () => {
    if (!process.env.DATABASE_URL) throw new Error('run through `npm test` (DATABASE_URL)');
    const orm = await createOrm({ url: process.env.DATABASE_URL, migrations: [] });
    await orm.em.fork().execute('select 1');
    const started = Date.now();
    await closeOrm(orm, 5_000);
    expect(Date.now() - started).to.be.below(4_000);
  });
});
