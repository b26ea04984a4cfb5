import {
  closeRedis,
  createLogger,
  createMasterKeyring,
  createMetrics,
  createOrm,
  createRedis,
  type Logger,
  listen,
  publishPrincipalDeleted,
  ServiceUnavailableError,
} from '@vectorauth/shared';
import { Provider } from 'oidc-provider';
import { createAccountFlows } from './accounts/account-flows.ts';
import { createAccountRepository } from './accounts/account-repository.ts';
import { createEmailTokens } from './accounts/email-tokens.ts';
import { createPasswordHasher } from './accounts/password-hasher.ts';
import { createClientRoutes } from './admin/client-routes.ts';
import { createInitialAccessTokenRoutes } from './admin/initial-access-token-routes.ts';
import { createKeyRoutes } from './admin/key-routes.ts';
import { createRevocationRoutes } from './admin/revocation-routes.ts';
import { createUserRoutes } from './admin/user-routes.ts';
import { createAdminApp } from './admin-app.ts';
import { createClientRegistry } from './clients/client-registry.ts';
import type { AuthServerConfig } from './config.ts';
import { authServerEntities } from './entities.ts';
import { createSigningKeyStore } from './keys/signing-key-store.ts';
import { createMailer } from './mail/mailer.ts';
import { authServerMigrations } from './migrations/migrations.ts';
import { ensureAccountClient } from './oidc/account-client.ts';
import { createAccountSessions } from './oidc/account-sessions.ts';
import { createFindAccount } from './oidc/find-account.ts';
import { createPostgresAdapter, sweepExpiredModels } from './oidc/postgres-adapter.ts';
import { buildProviderConfiguration } from './oidc/provider-configuration.ts';
import { installRegistrationHooks } from './oidc/registration-hooks.ts';
import { installRevocationHooks } from './oidc/revocation-hooks.ts';
import { createCsrf } from './pages/csrf.ts';
import { createPageRouter } from './pages/page-router.ts';
import { createPageRenderer } from './pages/renderer.ts';
import { createPublicApp } from './public-app.ts';
import { createOwnAccessTokens } from './revocation/own-access-tokens.ts';
import { createRevocations, sweepExpiredRevocations } from './revocation/revocations.ts';

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

  const revocations = createRevocations({ orm, redis, maxTokenTtlSec: config.ACCESS_TOKEN_TTL, logger });
  const adapter = createPostgresAdapter({
    orm,
    keyring,
    onGrantRevoked: (grantId) => revocations.revokeGrant(grantId),
  });
  const accounts = createAccountRepository(orm);
  const pages = createPageRenderer({ cache: config.NODE_ENV === 'production' });
  const provider = new Provider(
    config.ISSUER,
    buildProviderConfiguration({
      config,
      adapter,
      jwks: await keys.loadPrivateJwks(),
      findAccount: createFindAccount(accounts),
      pages,
    }),
  );
  provider.on('server_error', (_ctx, err) => logger.error({ err }, 'oidc-provider server_error'));
  const publicJwks = (await keys.loadPrivateJwks()).map(({ d, p, q, dp, dq, qi, ...pub }) => pub);
  installRevocationHooks({
    provider,
    redis,
    revocations,
    ownTokens: createOwnAccessTokens({ issuer: config.ISSUER, publicJwks: () => ({ keys: publicJwks }) }),
  });
  const sessions = createAccountSessions({ orm, provider, revocations });
  provider.on('grant.success', (ctx) => {
    const grant = ctx.oidc.entities.Grant;
    if (grant?.jti && grant.accountId) {
      sessions.touchGrant(grant.jti, grant.accountId, grant.clientId ?? '').catch(() => undefined);
    }
  });
  const hasher = createPasswordHasher(config.BCRYPT_COST);
  const mailer = createMailer({
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
    dataDir: config.DATA_DIR,
    logger,
  });
  const flows = createAccountFlows({
    accounts,
    tokens: createEmailTokens(orm),
    hasher,
    mailer,
    sessions,
    issuer: config.ISSUER,
    logger,
  });
  await ensureAccountClient(adapter, config.ISSUER);
  const clients = createClientRegistry({ provider, orm, adapter, revocations });
  installRegistrationHooks({ provider, clients });
  const pageRouter = createPageRouter({
    clients,
    provider,
    flows,
    accounts,
    sessions,
    pages,
    csrf: createCsrf(config.COOKIE_KEYS),
    issuer: config.ISSUER,
  });

  const metrics = createMetrics('auth-server');
  const readiness = [
    { name: 'postgres', check: () => orm.em.getConnection().execute('select 1') },
    { name: 'redis', check: () => redis.ping() },
  ];
  const publicApp = createPublicApp({
    logger,
    provider,
    metrics,
    readiness,
    pageRouter,
    cookieKeys: config.COOKIE_KEYS,
  });
  const adminApp = createAdminApp({
    logger,
    adminToken: config.ADMIN_TOKEN,
    maxBodyBytes: config.ADMIN_MAX_BODY_BYTES,
    metrics,
    routers: [
      createClientRoutes(clients),
      createInitialAccessTokenRoutes(() => provider),
      createKeyRoutes(keys),
      createUserRoutes({
        accounts,
        sessions,
        onDeleted: async (id) => {
          await publishPrincipalDeleted(redis, id).catch(() => {
            throw new ServiceUnavailableError(
              'the deletion could not be announced to resource servers; retry',
            );
          });
        },
      }),
      createRevocationRoutes(revocations),
    ],
  });

  const publicServer = await listen(publicApp, config.AUTH_HOST, config.AUTH_PORT);
  const adminServer = await listen(adminApp, config.ADMIN_HOST, config.ADMIN_PORT);
  const sweeper = setInterval(() => {
    sweepExpiredModels(orm).catch((err) => logger.warn({ err }, 'sweeping expired oidc models failed'));
    sweepExpiredRevocations(orm).catch((err) => logger.warn({ err }, 'sweeping expired revocations failed'));
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
      await mailer.idle();
      await hasher.close();
      await closeRedis(redis);
      await orm.close();
    },
  };
}
