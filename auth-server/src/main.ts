import { CONFIG_EXIT_CODE, ConfigError, createLogger, stopOnSignals } from '@vectorauth/shared';
import { startAuthServer } from './auth-server.ts';
import { loadAuthServerConfig } from './config.ts';

/**
 * `node auth-server/src/main.ts`: configuration from the environment (exit 78 naming every bad
 * key); migrations run beforehand. SIGTERM/SIGINT drain requests in flight, then exit 0.
 */
let config: ReturnType<typeof loadAuthServerConfig>;
try {
  config = loadAuthServerConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`auth-server: ${err.message}`);
  process.exit(CONFIG_EXIT_CODE);
}
const logger = createLogger({ name: 'auth-server', level: config.logLevel });
const server = await startAuthServer(config, { logger }).catch((err: unknown) => {
  const reason = err instanceof Error ? err.message : String(err);
  logger.fatal({ err }, `auth-server cannot start: ${reason}`);
  console.error(`auth-server cannot start: ${reason}`);
  process.exit(1);
});
stopOnSignals({ name: 'auth-server', logger, close: () => server.close() });
