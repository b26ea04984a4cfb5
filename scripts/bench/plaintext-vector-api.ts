import { createLogger } from '@vectorauth/shared';
import { loadVectorApiConfig, plaintextEncryption, startVectorApi } from '@vectorauth/vector-api';

/**
 * The benchmark's "encryption off" baseline: the vector API exactly as `vector-api/src/main.ts`
 * runs it, except that records and snapshots are stored unencrypted. No configuration of the
 * service itself can do this; only this bench entry passes the plaintext codec. Run as its own
 * process (`node scripts/bench/plaintext-vector-api.ts`, same env as the service).
 */
const config = loadVectorApiConfig(process.env);
const logger = createLogger({ name: 'vector-api-plaintext', level: config.logLevel });
const running = await startVectorApi(config, { logger, encryption: plaintextEncryption() });
logger.info({ url: running.url }, 'plaintext vector-api (bench baseline) ready');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
