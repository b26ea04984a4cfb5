import { ConfigError, createLogger } from '@vectorauth/shared';
import { describeVectorApiConfig, loadVectorApiConfig } from './config.ts';
import { startVectorApi } from './vector-api.ts';

/** `node vector-api/src/main.ts`: start from process.env (run migrate.ts first), stop on SIGINT/SIGTERM. */
let config: ReturnType<typeof loadVectorApiConfig>;
try {
  config = loadVectorApiConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`vector-api: ${err.message}`);
  process.exit(1);
}
const logger = createLogger({ name: 'vector-api', level: config.logLevel });
const running = await startVectorApi(config, { logger });
logger.info(
  { url: running.url, config: describeVectorApiConfig(config) },
  `vector-api ready on ${running.url}`,
);

const stop = (signal: string) => {
  logger.info({ signal }, 'vector-api shutting down');
  running.close().then(
    () => {
      logger.info('vector-api stopped');
      process.exit(0);
    },
    (err: unknown) => {
      logger.error({ err }, 'vector-api shutdown failed');
      process.exit(1);
    },
  );
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
