import { createLogger, loadConfigOrExit, runOrExit, stopOnSignals } from '@vectorauth/shared';
import { startAuthServer } from './auth-server.ts';
import { describeAuthServerConfig, loadAuthServerConfig } from './config.ts';

/**
 * `node auth-server/src/main.ts`: start from process.env (exit 78 naming every bad key, exit 1
 * when it cannot start; run migrate.ts first). SIGTERM/SIGINT drain requests in flight, then exit 0.
 */
const config = loadConfigOrExit('auth-server', loadAuthServerConfig);
const logger = createLogger({ name: 'auth-server', level: config.logLevel });
const running = await runOrExit({ service: 'auth-server', step: 'start', logger }, () =>
  startAuthServer(config, { logger }),
);
logger.info(
  { url: running.publicUrl, admin: running.adminUrl, config: describeAuthServerConfig(config) },
  `auth-server ready on ${running.publicUrl}`,
);
stopOnSignals({ name: 'auth-server', logger, close: () => running.close() });
