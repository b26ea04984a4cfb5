import { ConfigError, createLogger } from '@vectorauth/shared';
import { startAuthServer } from './auth-server.ts';
import { loadAuthServerConfig } from './config.ts';

/** `node auth-server/src/main.ts`: configuration from the environment; migrations run beforehand. */
let config: ReturnType<typeof loadAuthServerConfig>;
try {
  config = loadAuthServerConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`auth-server: ${err.message}`);
  process.exit(78);
}
const logger = createLogger({ name: 'auth-server', level: config.LOG_LEVEL });
const server = await startAuthServer(config, { logger }).catch((err: unknown) => {
  logger.fatal({ err }, `auth-server cannot start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'auth-server stopping');
    await server.close();
    process.exit(0);
  });
}
