import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  closeRedis,
  createAccessTokenVerifier,
  createLogger,
  createMetrics,
  createOrm,
  createRedis,
  type Logger,
  listen,
  type Redis,
  startPrincipalEventConsumer,
  subscribeKeySetNotices,
} from '@vectorauth/shared';
import { createVectorApp } from './app.ts';
import type { VectorApiConfig } from './config.ts';
import { createShredBroadcast } from './events/shred-broadcast.ts';
import { VECTOR_MIGRATIONS } from './migrations/vector-migrations.ts';
import { createIndexLoader } from './search/index-loader.ts';
import { createIndexWorkerClient } from './search/index-worker-client.ts';
import { createSnapshotStore } from './search/snapshot-store.ts';
import { createVectorIndex } from './search/vector-index.ts';
import { createEncryption, type Encryption } from './store/encryption.ts';
import { startMaintenance } from './store/maintenance.ts';
import { createPrincipalShredder } from './store/shred-principal.ts';
import { createTamperReport } from './store/tamper-report.ts';

export interface VectorApiDeps {
  logger?: Logger;
  /** Envelope encryption from MASTER_KEY unless given (the benchmark passes plaintext for comparison). */
  encryption?: Encryption;
}

export interface RunningVectorApi {
  /** The base URL with the real port (port 0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

/**
 * Wires config, ORM, Redis, envelope encryption, the FAISS worker and its snapshots, the
 * principal-events consumer and the Koa app, and listens. The schema must have been migrated
 * before (`runVectorApiMigrations`); the server never migrates at boot.
 */
export async function startVectorApi(
  config: VectorApiConfig,
  deps: VectorApiDeps = {},
): Promise<RunningVectorApi> {
  const logger = deps.logger ?? createLogger({ name: 'vector-api', level: config.logLevel });
  const encryption = deps.encryption ?? createEncryption(config.masterKeys, config.keyCacheSize);
  const worker = createIndexWorkerClient(logger, { dataDir: config.dataDir, ...config.index });
  // The migrations are the schema and the repositories speak SQL: no entities.
  const orm = await createOrm({
    url: config.databaseUrl,
    entities: [],
    migrations: VECTOR_MIGRATIONS,
    poolMax: 10,
    timeouts: config.database,
  }).catch(async (err: unknown) => {
    await worker.close();
    throw err;
  });
  const redis = createRedis(config.redisUrl, 'vector-api', logger);
  const redisSettled = settled(redis, 2000);
  const snapshots = createSnapshotStore(config.dataDir);
  const loader = createIndexLoader({ orm, encryption, snapshots });
  const metrics = createMetrics('vector-api');
  const tampered = metrics.counter(
    'vector_stored_data_tampered_total',
    'Stored data that failed authentication and was refused, by kind (snapshot file, encrypted row)',
    ['kind'],
  );
  for (const kind of ['snapshot', 'record'] as const) tampered.inc({ kind }, 0);
  const tamper = createTamperReport({ orm, logger, count: (kind) => tampered.inc({ kind }) });
  const index = createVectorIndex({
    worker,
    planLoad: loader.planLoad,
    discardSnapshot: loader.discardSnapshot,
    onSnapshotRefused: (collection, reason) =>
      void tamper.report({
        kind: 'snapshot',
        principal: collection.principal,
        collection: collection.name,
        collectionId: collection.id,
        reason,
      }),
  });

  /** Everything this process keeps of a principal outside Postgres. */
  const forgetHere = async (principal: string) => {
    encryption.keys?.forget(principal);
    await index.dropPrincipal(principal).catch(() => undefined); // a restarted worker holds nothing
    await snapshots.removePrincipal(principal);
  };
  const broadcast = createShredBroadcast({
    publisher: redis,
    subscriber: createRedis(config.redisUrl, 'vector-api-shred-broadcast', logger),
    forget: forgetHere,
    logger,
  });
  const shredder = createPrincipalShredder({
    orm,
    keys: encryption.keys,
    forget: async (principal) => {
      await forgetHere(principal);
      await broadcast.announce(principal);
    },
  });
  const consumer = startPrincipalEventConsumer({
    redis: createRedis(config.redisUrl, 'vector-api-principal-events', logger),
    group: config.events.group,
    consumer: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    claimIdleMs: config.events.claimIdleMs,
    logger,
    handle: async (event, entryId) => {
      const result = await shredder.shred({
        principal: event.sub,
        actor: 'auth-server',
        via: 'principal_event',
        requestId: entryId,
      });
      logger.info({ entryId, ...result }, 'principal deleted by the auth server: shredded');
    },
  });
  const maintenance = startMaintenance({ orm, snapshots, tombstoneTtlSec: config.tombstoneTtlSec, logger });
  const verifier = createAccessTokenVerifier({
    issuer: config.issuer,
    audience: config.apiUrl,
    jwksUri: config.jwksUri,
    algorithms: [...config.tokenAlgorithms],
    clockToleranceSec: config.tokenClockSkewSec,
  });
  // The auth server names its published keys on every key change: a new one verifies on first sight.
  const keyNotices = createRedis(config.redisUrl, 'vector-api-key-notices', logger);
  subscribeKeySetNotices(keyNotices, (kids) => verifier.expectKeys(kids));
  const app = createVectorApp({
    config,
    logger,
    orm,
    redis,
    verifier,
    index,
    encryption,
    shredder,
    metrics,
    tamper,
  });
  app.on('error', (err: unknown) => logger.warn({ err }, 'connection error'));

  const closeResources = async () => {
    await maintenance.stop();
    await consumer.close();
    await broadcast.close();
    keyNotices.removeAllListeners('message');
    await closeRedis(keyNotices);
    await worker.close();
    await closeRedis(redis);
    await orm.close(true);
  };
  // Every request asks Redis (revocation): give the connection a moment, so the first requests
  // after a start are not refused for want of it. When Redis is down, start anyway (fail closed).
  await redisSettled;
  const listening = await listen(app, config.host, config.port).catch(async (err: unknown) => {
    await closeResources();
    throw err;
  });

  let closing: Promise<void> | undefined;
  return {
    url: listening.url,
    close() {
      closing ??= (async () => {
        await listening.close();
        await closeResources();
      })();
      return closing;
    },
  };
}

/** Resolves when the connection is ready, has failed once, or after `ms`, whichever comes first. */
function settled(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      redis.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    redis.once('ready', done);
    redis.once('error', done);
  });
}
