import {
  closeRedis,
  createLogger,
  createMasterKeyring,
  createMetrics,
  createOrm,
  createRedis,
  type Logger,
  listen,
} from '@vectorauth/shared';
import { Provider } from 'oidc-provider';
import { createClientRoutes } from './admin/client-routes.ts';
import { createKeyRoutes } from './admin/key-routes.ts';
import { createAdminApp } from './admin-app.ts';
import { createClientRegistry } from './clients/client-registry.ts';
import type { AuthServerConfig } from './config.ts';
import { authServerEntities } from './entities.ts';
import { createSigningKeyStore } from './keys/signing-key-store.ts';
import { authServerMigrations } from './migrations/migrations.ts';
import { createPostgresAdapter, sweepExpiredModels } from './oidc/postgres-adapter.ts';
import { buildProviderConfiguration } from './oidc/provider-configuration.ts';
import { createPublicApp } from './public-app.ts';

export interface RunningAuthServer {
  issuer: string;
  publicUrl: string;
  adminUrl: string;
  close(): Promise<void>;
}

const SWEEP_EVERY_MS = 5 * 60_000;

/** Composition root: wires config, Postgres, Redis, keys, oidc-provider and the two apps. */
export async function startAuthServer(
  config: AuthServerConfig,
  deps: { logger?: Logger } = {},
): Promise<RunningAuthServer> {
  const logger = deps.logger ?? createLogger({ name: 'auth-server', level: config.LOG_LEVEL });
  const orm = await createOrm({
    url: config.DATABASE_URL,
    entities: authServerEntities,
    migrations: authServerMigrations,
  });
  const redis = createRedis(config.REDIS_URL, 'auth-server', logger);
  const keyring = createMasterKeyring(config.MASTER_KEY);
  const keys = createSigningKeyStore({ orm, keyring, alg: config.SIGNING_ALG });
  await keys.ensureCurrent();

  const adapter = createPostgresAdapter({ orm, keyring });
  const provider = new Provider(
    config.ISSUER,
    buildProviderConfiguration({ config, adapter, jwks: await keys.loadPrivateJwks() }),
  );
  provider.on('server_error', (_ctx, err) => logger.error({ err }, 'oidc-provider server_error'));

  const metrics = createMetrics('auth-server');
  const readiness = [
    { name: 'postgres', check: () => orm.em.getConnection().execute('select 1') },
    { name: 'redis', check: () => redis.ping() },
  ];
  const publicApp = createPublicApp({ logger, provider, metrics, readiness });
  const adminApp = createAdminApp({
    logger,
    adminToken: config.ADMIN_TOKEN,
    maxBodyBytes: config.ADMIN_MAX_BODY_BYTES,
    metrics,
    routers: [createClientRoutes(createClientRegistry({ provider, orm, adapter })), createKeyRoutes(keys)],
  });

  const publicServer = await listen(publicApp, config.AUTH_HOST, config.AUTH_PORT);
  const adminServer = await listen(adminApp, config.ADMIN_HOST, config.ADMIN_PORT);
  const sweeper = setInterval(() => {
    sweepExpiredModels(orm).catch((err) => logger.warn({ err }, 'sweeping expired oidc models failed'));
  }, SWEEP_EVERY_MS).unref();

  logger.info(
    { public: publicServer.url, admin: adminServer.url, issuer: config.ISSUER },
    'auth-server ready',
  );
  return {
    issuer: config.ISSUER,
    publicUrl: publicServer.url,
    adminUrl: adminServer.url,
    async close() {
      clearInterval(sweeper);
      await Promise.all([publicServer.close(), adminServer.close()]);
      await closeRedis(redis);
      await orm.close();
    },
  };
}
