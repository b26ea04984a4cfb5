import {
  closeRedis,
  createAccessTokenVerifier,
  createLogger,
  createOrm,
  createRedis,
  type Logger,
  listen,
} from '@vectorauth/shared';
import { createVectorApp } from './app.ts';
import type { VectorApiConfig } from './config.ts';
import { createIndexWorkerClient } from './index/index-worker-client.ts';
import { createVectorIndex } from './index/vector-index.ts';
import { VECTOR_MIGRATIONS } from './migrations/vector-migrations.ts';
import { createPlaintextRecordCodec } from './store/plaintext-record-codec.ts';
import type { RecordCodec } from './store/record-codec.ts';
import { createRecordRepository } from './store/record-repository.ts';
import { VECTOR_ENTITIES } from './store/vector-entities.ts';

export interface VectorApiDeps {
  logger?: Logger;
  codec?: RecordCodec;
}

export interface RunningVectorApi {
  /** The base URL with the real port (port 0 picks a free one). */
  url: string;
  close(): Promise<void>;
}

/**
 * Wires config, ORM, Redis, the FAISS worker and the Koa app, and listens. The schema must have
 * been migrated before (`runVectorApiMigrations`); the server never migrates at boot.
 */
export async function startVectorApi(
  config: VectorApiConfig,
  deps: VectorApiDeps = {},
): Promise<RunningVectorApi> {
  const logger = deps.logger ?? createLogger({ name: 'vector-api', level: config.logLevel });
  const codec = deps.codec ?? createPlaintextRecordCodec();
  const orm = await createOrm({
    url: config.databaseUrl,
    entities: VECTOR_ENTITIES,
    migrations: VECTOR_MIGRATIONS,
    poolMax: 10,
  });
  const redis = createRedis(config.redisUrl, 'vector-api', logger);
  const worker = createIndexWorkerClient(logger);
  const index = createVectorIndex({
    worker,
    loadSnapshot: (collection) => createRecordRepository(orm.em.fork(), codec).snapshot(collection),
  });
  const verifier = createAccessTokenVerifier({
    issuer: config.issuer,
    audience: config.apiUrl,
    jwksUri: config.jwksUri,
    algorithms: [...config.tokenAlgorithms],
    clockToleranceSec: config.tokenClockSkewSec,
  });
  const app = createVectorApp({ config, logger, orm, redis, verifier, index, codec });
  app.on('error', (err: unknown) => logger.warn({ err }, 'connection error'));

  const closeResources = async () => {
    await worker.close();
    await closeRedis(redis);
    await orm.close(true);
  };
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
