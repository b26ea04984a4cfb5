import {
  closeOrm,
  closeRedis,
  createLogger,
  createMetrics,
  createOrm,
  createRedis,
  createShutdownStack,
  type Logger,
  listen,
  redisSettled,
} from '@vectorauth/shared';
import { createVectorApp } from './app.ts';
import type { VectorApiConfig } from './config.ts';
import { startPrincipalErasure } from './events/principal-erasure.ts';
import { VECTOR_MIGRATIONS } from './migrations/vector-migrations.ts';
import { createIndexWorkerClient } from './search/index-worker-client.ts';
import { createSearchIndex } from './search/search-index.ts';
import { createSnapshotStore } from './search/snapshot-store.ts';
import { createEncryption, type Encryption } from './store/encryption.ts';
import { startMaintenance } from './store/maintenance.ts';
import { countTampering, createTamperReport } from './store/tamper-report.ts';
import { startTokenVerification } from './v1/token-verification.ts';

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
 * Wires config, ORM, Redis, envelope encryption, the FAISS worker and its snapshots, principal
 * erasure, token verification and the Koa app, and listens. The schema must have been migrated
 * before (`runVectorApiMigrations`); the server never migrates at boot. A step that fails closes
 * what the steps before it started.
 */
export async function startVectorApi(
  config: VectorApiConfig,
  deps: VectorApiDeps = {},
): Promise<RunningVectorApi> {
  const logger = deps.logger ?? createLogger({ name: 'vector-api', level: config.logLevel });
  const encryption = deps.encryption ?? createEncryption(config.masterKeys, config.keyCacheSize);
  const started = createShutdownStack({
    onSlow: (step, ms) => logger.warn({ step, ms }, 'shutdown step still running'),
  });
  try {
    const orm = started.push(
      await createOrm({
        url: config.databaseUrl,
        migrations: VECTOR_MIGRATIONS,
        poolMax: 10,
        timeouts: config.database,
      }),
      (orm) => closeOrm(orm),
      'database pool',
    );
    const worker = started.push(
      createIndexWorkerClient(logger, { dataDir: config.dataDir, ...config.index }),
      (worker) => worker.close(),
      'index worker',
    );
    const redis = started.push(createRedis(config.redisUrl, 'vector-api', logger), closeRedis, 'redis');
    const redisUp = redisSettled(redis, 2000);
    const metrics = createMetrics('vector-api');
    const tamper = createTamperReport({ orm, logger, count: countTampering(metrics) });
    const snapshots = createSnapshotStore(config.dataDir);
    const index = createSearchIndex({ worker, orm, encryption, snapshots, tamper });
    const erasure = started.push(
      startPrincipalErasure({ config, orm, redis, encryption, index, snapshots, logger }),
      (erasure) => erasure.close(),
      'principal events',
    );
    started.push(
      startMaintenance({ orm, snapshots, tombstoneTtlSec: config.tombstoneTtlSec, logger }),
      (m) => m.stop(),
      'maintenance',
    );
    const tokens = started.push(
      startTokenVerification(config, redis, logger),
      (tokens) => tokens.close(),
      'token verification',
    );
    const app = createVectorApp({
      config,
      logger,
      orm,
      redis,
      verifier: tokens.verifier,
      index,
      encryption,
      shredder: erasure.shredder,
      metrics,
      tamper,
    });
    app.on('error', (err: unknown) => logger.warn({ err }, 'connection error'));
    // Every request asks Redis (revocation): give the connection a moment, so the first requests
    // after a start are not refused for want of it. When Redis is down, start anyway (fail closed).
    await redisUp;
    const listening = started.push(
      await listen(app, config.host, config.port, {
        variables: { host: 'VECTOR_HOST', port: 'VECTOR_PORT' },
      }),
      (l) => l.close(),
      'http server',
    );
    return { url: listening.url, close: started.close };
  } catch (err) {
    await started.close().catch(() => undefined);
    throw err;
  }
}
