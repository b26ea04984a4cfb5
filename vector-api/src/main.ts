import { createLogger, loadConfigOrExit, runOrExit, stopOnSignals } from '@vectorauth/shared';
import { describeVectorApiConfig, loadVectorApiConfig } from './config.ts';
import { startVectorApi } from './vector-api.ts';

/**
 * `node vector-api/src/main.ts`: start from process.env (exit 78 naming every bad key, exit 1
 * when it cannot start; run migrate.ts first). SIGTERM/SIGINT drain requests in flight, then exit 0.
 */
const config = loadConfigOrExit('vector-api', loadVectorApiConfig);
const logger = createLogger({ name: 'vector-api', level: config.logLevel });
const running = await runOrExit({ service: 'vector-api', step: 'start', logger }, () =>
  startVectorApi(config, { logger }),
);
logger.info(
  { url: running.url, config: describeVectorApiConfig(config) },
  `vector-api ready on ${running.url}`,
);
stopOnSignals({ name: 'vector-api', logger, close: () => running.close() });
