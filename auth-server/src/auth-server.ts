import {
  closeRedis,
  createLogger,
  createMasterKeyring,
  createMetrics,
  createOrm,
  createRateLimiter,
  createRedis,
  createRevocationStore,
  databaseTimeouts,
  isDatabaseUnavailable,
  type Logger,
  listen,
  postgresReadiness,
  publishPrincipalDeleted,
  ServiceUnavailableError,
} from '@vectorauth/shared';
import { Provider } from 'oidc-provider';
import { createAuthRateLimits } from './abuse/auth-rate-limits.ts';
import { createSignInThrottle } from './abuse/sign-in-throttle.ts';
import { createAccountFlows } from './accounts/account-flows.ts';
import { createAccountRepository } from './accounts/account-repository.ts';
import { createEmailTokens } from './accounts/email-tokens.ts';
import { createPasswordHasher } from './accounts/password-hasher.ts';
import { createAuditRoutes } from './admin/audit-routes.ts';
import { createClientRoutes } from './admin/client-routes.ts';
import { createInitialAccessTokenRoutes } from './admin/initial-access-token-routes.ts';
import { createKeyRoutes } from './admin/key-routes.ts';
import { createRevocationRoutes } from './admin/revocation-routes.ts';
import { createUserRoutes } from './admin/user-routes.ts';
import { createAdminApp } from './admin-app.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { auditRequest } from './audit/audit-request.ts';
import { createClientRegistry } from './clients/client-registry.ts';
import type { AuthServerConfig } from './config.ts';
import { authServerEntities } from './entities.ts';
import { createFederatedAccounts } from './federation/federated-accounts.ts';
import { createFederatedIdentityRepository } from './federation/federated-identity-repository.ts';
import { createUpstreamProviders } from './federation/upstream-providers.ts';
import { secureCookies } from './https/secure-cookies.ts';
import { startKeySync } from './keys/key-sync.ts';
import { createSigningKeyStore } from './keys/signing-key-store.ts';
import { createMailer } from './mail/mailer.ts';
import { authServerMigrations } from './migrations/migrations.ts';
import { ensureAccountClient } from './oidc/account-client.ts';
import { createAccountSessions } from './oidc/account-sessions.ts';
import { installEndpointActions } from './oidc/endpoint-actions.ts';
import { createFindAccount } from './oidc/find-account.ts';
import { installJwksCacheControl } from './oidc/jwks-cache-control.ts';
import { createOauthMetrics } from './oidc/oauth-metrics.ts';
import { createOauthOutageAnswers } from './oidc/oauth-unavailable.ts';
import { createPostgresAdapter, sweepExpiredModels, undoRotation } from './oidc/postgres-adapter.ts';
import { buildProviderConfiguration } from './oidc/provider-configuration.ts';
import { createProviderHolder } from './oidc/provider-holder.ts';
import { createRefreshRotation } from './oidc/refresh-rotation.ts';
import { installRegistrationHooks } from './oidc/registration-hooks.ts';
import { createCsrf } from './pages/csrf.ts';
import { federationPageData } from './pages/federation-page-data.ts';
import { createFederationRoutes } from './pages/federation-routes.ts';
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

/**
 * Key lifecycle timings from the configuration: a retired key stays published while any token it
 * signed can be alive (longest token lifetime, plus the sync interval during which another
 * instance may still sign with it, plus clock skew); a revoked key is denied at resource servers
 * at least a day, well past any JWKS cache that may still hold it.
 */
function keyTimings(config: AuthServerConfig) {
  const retentionSec =
    Math.max(config.ACCESS_TOKEN_TTL, config.ID_TOKEN_TTL) +
    config.KEY_SYNC_INTERVAL_SEC +
    config.KEY_REMOVAL_GRACE_SEC;
  return {
    publishWaitSec: config.KEY_PUBLISH_WAIT_SEC,
    retentionSec,
    denySec: Math.max(retentionSec, 86_400),
  };
}

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
    timeouts: databaseTimeouts(config),
  });
  const redis = createRedis(config.REDIS_URL, 'auth-server', logger);
  const audit = createAuditLog({ orm, logger });
  const keyring = createMasterKeyring(config.MASTER_KEY);
  const keys = createSigningKeyStore({ orm, keyring, alg: config.SIGNING_ALG, timings: keyTimings(config) });
  await keys.ensureCurrent();

  const metrics = createMetrics('auth-server');
  const oauthMetrics = createOauthMetrics(metrics);
  const revocations = oauthMetrics.countRevocations(
    createRevocations({ orm, redis, maxTokenTtlSec: config.ACCESS_TOKEN_TTL, logger }),
  );
  const rotation = createRefreshRotation({
    graceSec: config.REFRESH_TOKEN_REUSE_GRACE_SEC,
    undo: (rotated) => undoRotation(orm, rotated),
  });
  const adapter = createPostgresAdapter({
    orm,
    keyring,
    onGrantRevoked: (grantId, source) => revocations.revokeGrant(grantId, source),
    rotation,
  });
  const accounts = createAccountRepository(orm);
  const pages = createPageRenderer({ cache: config.NODE_ENV === 'production' });
  const findAccount = createFindAccount(accounts);
  // The Provider is rebuilt whenever the signing keys change; everything else sees the live one.
  const holder = createProviderHolder((keySet) => {
    const provider = new Provider(
      config.ISSUER,
      buildProviderConfiguration({ config, adapter, keySet, findAccount, pages }),
    );
    const outages = createOauthOutageAnswers();
    provider.on('server_error', (ctx, err) => {
      outages.noteServerError(ctx, err);
      if (isDatabaseUnavailable(err)) logger.warn({ path: ctx.path }, 'database unavailable');
      else logger.error({ err }, 'oidc-provider server_error');
    });
    oauthMetrics.install(provider);
    provider.use(outages.middleware);
    installEndpointActions({ provider, redis, rotation, revocations, ownTokens, audit });
    installRegistrationHooks({ provider, clients, audit });
    installJwksCacheControl(provider, config.JWKS_MAX_AGE_SEC);
    if (config.NODE_ENV === 'production') provider.use(secureCookies);
    provider.on('grant.success', (ctx) => {
      const grant = ctx.oidc.entities.Grant;
      if (grant?.jti && grant.accountId) {
        sessions.touchGrant(grant.jti, grant.accountId, grant.clientId ?? '').catch(() => undefined);
      }
    });
    return provider;
  });
  const provider = holder.provider;
  const ownTokens = createOwnAccessTokens({
    issuer: config.ISSUER,
    publicJwks: () => ({ keys: holder.live().keySet.publicJwks }),
  });
  const sessions = createAccountSessions({ orm, provider, revocations });
  const clients = createClientRegistry({ provider, orm, adapter, revocations });
  holder.swap(await keys.loadKeySet());
  const keySync = startKeySync({
    store: keys,
    redis,
    subscriber: createRedis(config.REDIS_URL, 'auth-server-keys', logger),
    revocationStore: createRevocationStore(redis),
    intervalMs: config.KEY_SYNC_INTERVAL_SEC * 1000,
    rotationDays: config.KEY_ROTATION_DAYS,
    currentVersion: () => holder.live().keySet.version,
    apply: (keySet) => holder.swap(keySet),
    logger,
    audit,
  });
  const hasher = createPasswordHasher(config.BCRYPT_COST);
  const mailer = createMailer({
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
    dataDir: config.DATA_DIR,
    logger,
  });
  const throttle = createSignInThrottle(redis);
  const flows = createAccountFlows({
    throttle,
    accounts,
    tokens: createEmailTokens(orm),
    hasher,
    mailer,
    sessions,
    issuer: config.ISSUER,
    logger,
    audit,
  });
  await ensureAccountClient(adapter, config.ISSUER);
  const rateLimits = createAuthRateLimits({
    limiter: createRateLimiter(redis, { windowMs: config.RATE_LIMIT_WINDOW_SEC * 1000 }),
    throttle,
    pages,
    limits: {
      oauthPerClient: config.RATE_LIMIT_OAUTH_PER_CLIENT,
      registrationPerIp: config.RATE_LIMIT_REGISTRATION_PER_IP,
      formsPerIp: config.RATE_LIMIT_FORMS_PER_IP,
      mailsPerAccount: config.RATE_LIMIT_MAILS_PER_ACCOUNT,
    },
    onLimited: (ctx, bucket) => {
      oauthMetrics.rateLimited(bucket);
      // One audit row per bucket and window, however hard a flood pushes.
      redis
        .set(`rl:audited:${bucket}:${ctx.ip}`, '1', 'EX', config.RATE_LIMIT_WINDOW_SEC, 'NX')
        .then((first) =>
          first
            ? audit.record({
                action: 'rate_limit.hit',
                outcome: 'failure',
                actor: { type: 'anonymous' },
                subject: { type: 'ip', id: ctx.ip },
                request: auditRequest(ctx),
                detail: { bucket },
              })
            : undefined,
        )
        .catch(() => undefined);
    },
  });
  const identities = createFederatedIdentityRepository(orm);
  const upstreams = createUpstreamProviders(config);
  const csrf = createCsrf(config.COOKIE_KEYS);
  const pageRouter = createPageRouter({
    formLimits: rateLimits.forms,
    clients,
    provider,
    flows,
    accounts,
    sessions,
    pages,
    csrf,
    issuer: config.ISSUER,
    audit,
    federatedProviders: upstreams,
    federationPageData: upstreams.length > 0 ? federationPageData({ identities, upstreams }) : undefined,
    federationRoutes: createFederationRoutes({
      provider,
      accounts,
      identities,
      federatedAccounts: createFederatedAccounts({ accounts, identities }),
      upstreams,
      pages,
      csrf,
      issuer: config.ISSUER,
      audit,
    }),
  });

  const readiness = [
    postgresReadiness(orm, ['oidc_model', 'account', 'signing_key']),
    { name: 'redis', check: () => redis.ping() },
  ];
  const publicApp = createPublicApp({
    logger,
    oidc: () => holder.live().callback,
    metrics,
    readiness,
    pageRouter,
    pages,
    cookieKeys: config.COOKIE_KEYS,
    oauthLimits: rateLimits.oauth,
    trustProxy: config.TRUST_PROXY,
    production: config.NODE_ENV === 'production',
    errorPage: (ctx, error) =>
      pages.render(
        ctx,
        'error',
        { title: 'This request cannot be completed', message: error.message },
        error.status,
      ),
  });
  const adminApp = createAdminApp({
    logger,
    adminToken: config.ADMIN_TOKEN,
    maxBodyBytes: config.ADMIN_MAX_BODY_BYTES,
    metrics,
    routers: [
      createClientRoutes(clients, audit),
      createInitialAccessTokenRoutes(() => holder.live().provider),
      createKeyRoutes({ keys, sync: keySync, revocationStore: createRevocationStore(redis), audit }),
      createUserRoutes({
        accounts,
        sessions,
        audit,
        onDeleted: async (id) => {
          await publishPrincipalDeleted(redis, id).catch(() => {
            throw new ServiceUnavailableError(
              'the deletion could not be announced to resource servers; retry',
            );
          });
        },
      }),
      createRevocationRoutes(revocations),
      createAuditRoutes(audit),
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
      await keySync.close();
      await mailer.idle();
      await hasher.close();
      await closeRedis(redis);
      await orm.close();
    },
  };
}
