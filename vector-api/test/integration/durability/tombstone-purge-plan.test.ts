import type { MikroORM } from '@vectorauth/shared';
import { expect } from 'chai';
import { runVectorApiMigrations } from '../../../src/index.ts';
import { openVectorOrm } from '../../support/open-vector-orm.ts';
import { requireTestEnv } from '../../support/test-env.ts';

/**
 * The maintenance pass's purge of old tombstones must not read every row: on 2M rows it ran past
 * the statement timeout. With sequential scans priced out, the planner shows what it can use.
 */
describe('tombstone purge reads the tombstones only', () => {
  let orm: MikroORM;

  before(async () => {
    const { databaseUrl } = requireTestEnv();
    await runVectorApiMigrations({ databaseUrl });
    orm = await openVectorOrm(databaseUrl);
  });
  after(async () => {
    await orm?.close(true);
  });

  it('finds old tombstones through the partial index, not a scan of vector_record', async () => {
    const plan = await orm.em.getConnection().transactional(async (trx) => {
      await orm.em.getConnection().execute('set local enable_seqscan = off', [], 'run', trx);
      return orm.em
        .getConnection()
        .execute<{ 'QUERY PLAN': string }[]>(
          `explain delete from vector_record where payload is null and updated_at < now() - make_interval(secs => 60)`,
          [],
          'all',
          trx,
        );
    });
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).to.include('vector_record_tombstone_idx');
    expect(text).not.to.match(/Seq Scan on vector_record/);
  });
});
