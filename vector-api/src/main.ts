import { CONFIG_EXIT_CODE, ConfigError, createLogger, stopOnSignals } from '@vectorauth/shared';
import { describeVectorApiConfig, loadVectorApiConfig } from './config.ts';
import { startVectorApi } from './vector-api.ts';

/**
 * `node vector-api/src/main.ts`: start from process.env (exit 78 naming every bad key; run
 * migrate.ts first). SIGTERM/SIGINT drain requests in flight, then exit 0.
 */
let config: ReturnType<typeof loadVectorApiConfig>;
try {
  config = loadVectorApiConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`vector-api: ${err.message}`);
  process.exit(CONFIG_EXIT_CODE);
}
const logger = createLogger({ name: 'vector-api', level: config.logLevel });
const running = await startVectorApi(config, { logger }).catch((err: unknown) => {
  const reason = err instanceof Error ? err.message : String(err);
  logger.fatal({ err }, `vector-api cannot start: ${reason}`);
  console.error(`vector-api cannot start: ${reason}`);
  process.exit(1);
});
logger.info(
  { url: running.url, config: describeVectorApiConfig(config) },
  `vector-api ready on ${running.url}`,
);
stopOnSignals({ name: 'vector-api', logger, close: () => running.close() });
