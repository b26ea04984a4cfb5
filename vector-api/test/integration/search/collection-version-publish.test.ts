import { randomUUID } from 'node:crypto';
import { type MikroORM, ServiceUnavailableError } from '@vectorauth/shared';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { CollectionCache } from '../../../src/store/collection-cache.ts';
import { createCollectionRepository } from '../../../src/store/collection-repository.ts';
import { type CollectionVersions, createCollectionVersions } from '../../../src/store/collection-versions.ts';
import { plaintextEncryption } from '../../../src/store/encryption.ts';
import { createRecordRepository } from '../../../src/store/record-repository.ts';
import { openVectorOrm } from '../../support/open-vector-orm.ts';
import { requireTestEnv } from '../../support/test-env.ts';

/** Writers publish a collection's version before commit; one that cannot publish writes nothing. */
describe('collection versions: published before commit, fail closed', () => {
  let orm: MikroORM;
  let redis: Redis;
  before(async () => {
    const { databaseUrl, redisUrl } = requireTestEnv();
    orm = await openVectorOrm(databaseUrl);
    redis = new Redis(redisUrl);
  });
  after(async () => {
    await redis?.quit();
    await orm?.close(true);
  });

  const vector = (id: string) => ({ id, vector: Float32Array.of(1, 2), metadata: null });
  const versionInPostgres = async (id: string) =>
    Number(
      (
        await orm.em
          .fork()
          .execute<{ version: string }[]>('select version from collection where id = ?', [id])
      )[0]?.version,
    );

  it('publishes every new version, create to delete, and never lowers it', async () => {
    const caching = { cache: new CollectionCache(), versions: createCollectionVersions(redis) };
    const principal = `p-${randomUUID()}`;
    const collections = createCollectionRepository(orm.em.fork(), caching);
    const collection = await collections.create(principal, { name: 'c', dimension: 2, metric: 'l2' });
    expect(await redis.get(`cv:${collection.id}`)).to.equal('1');
    const records = createRecordRepository(orm.em.fork(), plaintextEncryption(), caching);
    expect(await records.upsert(collection, [vector('a')])).to.equal(2);
    expect(await redis.get(`cv:${collection.id}`)).to.equal('2');
    await caching.versions.publish(collection.id, 1);
    expect(await redis.get(`cv:${collection.id}`), 'only rises').to.equal('2');
    expect((await collections.find(principal, 'c'))?.version).to.equal(2);
    await collections.remove(principal, 'c');
    expect(await redis.get(`cv:${collection.id}`)).to.equal(null);
    expect(await collections.find(principal, 'c')).to.equal(null);
  });

  it('answers 503 and writes nothing when the version cannot be published', async () => {
    const working = { cache: new CollectionCache(), versions: createCollectionVersions(redis) };
    const broken: CollectionVersions = {
      ...working.versions,
      publish: async () => {
        throw new ServiceUnavailableError('redis is away', 'redis');
      },
      retire: async () => {
        throw new ServiceUnavailableError('redis is away', 'redis');
      },
    };
    const failing = { cache: new CollectionCache(), versions: broken };
    const principal = `p-${randomUUID()}`;
    const collection = await createCollectionRepository(orm.em.fork(), working).create(principal, {
      name: 'c',
      dimension: 2,
      metric: 'l2',
    });
    const records = createRecordRepository(orm.em.fork(), plaintextEncryption(), failing);
    let error: unknown;
    await records.upsert(collection, [vector('a')]).catch((err: unknown) => {
      error = err;
    });
    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect(await versionInPostgres(collection.id)).to.equal(1);
    expect(await createRecordRepository(orm.em.fork(), plaintextEncryption()).get(collection, 'a')).to.equal(
      null,
    );

    error = undefined;
    await createCollectionRepository(orm.em.fork(), failing)
      .remove(principal, 'c')
      .catch((err: unknown) => {
        error = err;
      });
    expect(error, 'a delete that cannot retire the version is not made').to.be.instanceOf(
      ServiceUnavailableError,
    );
    expect(await versionInPostgres(collection.id)).to.equal(1);
  });

  it('uses a cached row only while its version is the published one', async () => {
    const caching = { cache: new CollectionCache(), versions: createCollectionVersions(redis) };
    const principal = `p-${randomUUID()}`;
    const collections = createCollectionRepository(orm.em.fork(), caching);
    const collection = await collections.create(principal, { name: 'c', dimension: 2, metric: 'l2' });
    expect((await collections.find(principal, 'c'))?.version).to.equal(1);
    // Another instance's write: Postgres and the published version move, this cache does not.
    const other = { cache: new CollectionCache(), versions: createCollectionVersions(redis) };
    await createRecordRepository(orm.em.fork(), plaintextEncryption(), other).upsert(collection, [
      vector('a'),
    ]);
    expect((await collections.find(principal, 'c'))?.version).to.equal(2);
    // A published version lost with Redis: Postgres answers.
    await redis.del(`cv:${collection.id}`);
    expect((await collections.find(principal, 'c'))?.version).to.equal(2);
  });

  it('waits for the replicas it is told to before a write counts, and writes nothing without them', async () => {
    // This Redis has no replica: a version that must reach one is refused, and so is the write.
    const replicated = {
      cache: new CollectionCache(),
      versions: createCollectionVersions(redis, { replicas: 1, timeoutMs: 50 }),
    };
    const plain = { cache: new CollectionCache(), versions: createCollectionVersions(redis) };
    const principal = `p-${randomUUID()}`;
    const collection = await createCollectionRepository(orm.em.fork(), plain).create(principal, {
      name: 'c',
      dimension: 2,
      metric: 'l2',
    });
    let error: unknown;
    await createRecordRepository(orm.em.fork(), plaintextEncryption(), replicated)
      .upsert(collection, [vector('a')])
      .catch((err: unknown) => {
        error = err;
      });
    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect(await versionInPostgres(collection.id)).to.equal(1);
  });
});
