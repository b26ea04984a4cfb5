import {
  closeOrm,
  closeRedis,
  createLogger,
  createMasterKeyring,
  createMetrics,
  createOrm,
  createRateLimiter,
  createRedis,
  createShutdownStack,
  type Logger,
  listen,
  postgresReadiness,
  redisSettled,
} from '@vectorauth/shared';
import { createAuthRateLimits } from './abuse/auth-rate-limits.ts';
import { createAccountRepository } from './accounts/account-repository.ts';
import { createAccountServices } from './accounts/account-services.ts';
import { createAdminRouters } from './admin/admin-routers.ts';
import { createAdminApp } from './admin-app.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { createRateLimitAudit } from './audit/rate-limit-audit.ts';
import { startClientCacheSync } from './clients/client-cache-sync.ts';
import type { AuthServerConfig } from './config.ts';
import { startExpirySweeper } from './expiry-sweeper.ts';
import { startLiveSigningKeys } from './keys/live-signing-keys.ts';
import { AUTH_MIGRATIONS } from './migrations/auth-migrations.ts';
import { ensureAccountClient } from './oidc/account-client.ts';
import { createOidcServices } from './oidc/oidc-services.ts';
import { loadBrand } from './pages/brand.ts';
import { createPageRenderer } from './pages/renderer.ts';
import { createSitePageRouter } from './pages/site-page-router.ts';
import { createPublicApp } from './public-app.ts';

export interface RunningAuthServer {
  issuer: string;
  publicUrl: string;
  adminUrl: string;
  /** Runs the periodic sweeps once now (expired models and marks, unused anonymous clients). */
  sweepNow(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Wires config, Postgres, Redis, oidc-provider with its live signing keys, the pages and the two
 * apps, and listens. The schema must have been migrated before (`runAuthServerMigrations`); the
 * server never migrates at boot. A step that fails closes what the steps before it started.
 */
export async function startAuthServer(
  config: AuthServerConfig,
  deps: { logger?: Logger } = {},
): Promise<RunningAuthServer> {
  const logger = deps.logger ?? createLogger({ name: 'auth-server', level: config.logLevel });
  const started = createShutdownStack({
    onSlow: (step, ms) => logger.warn({ step, ms }, 'shutdown step still running'),
  });
  try {
    const orm = started.push(
      await createOrm({
        url: config.databaseUrl,
        migrations: AUTH_MIGRATIONS,
        timeouts: config.database,
      }),
      (orm) => closeOrm(orm),
      'database',
    );
    const redis = started.push(createRedis(config.redisUrl, 'auth-server', logger), closeRedis, 'redis');
    // Boot announces client changes and every request asks Redis (limits, revocation): give the
    // connection a moment, as the vector API does. When Redis is down, start anyway (fail closed).
    const redisUp = redisSettled(redis, 2000);
    const base = { config, orm, redis, audit: createAuditLog({ orm, logger }), logger };
    const keyring = createMasterKeyring(config.masterKeys);
    const metrics = createMetrics('auth-server');
    const accounts = createAccountRepository(orm);
    const brand = loadBrand(config.brand);
    const pages = createPageRenderer({ cache: config.nodeEnv === 'production', brand });
    const clientCache = started.push(
      startClientCacheSync({
        ...base,
        settings: config.clientCache,
        subscriber: createRedis(config.redisUrl, 'auth-server-clients', logger),
      }),
      (cache) => cache.close(),
      'client cache sync',
    );
    const oidc = createOidcServices({ ...base, keyring, accounts, pages, metrics, clientCache });
    const { holder, sessions } = oidc;
    const signing = await startLiveSigningKeys({ ...base, keyring, holder });
    started.push(signing.keySync, (sync) => sync.close(), 'signing key sync');
    const services = createAccountServices({ ...base, keyring, accounts, sessions });
    started.push(services.hasher, (hasher) => hasher.close(), 'password hasher');
    started.push(services.mailer, (mailer) => mailer.idle(), 'mailer');
    await redisUp;
    await ensureAccountClient(oidc.adapter, config.issuer);
    const rateLimits = createAuthRateLimits({
      limiter: createRateLimiter(redis, { windowMs: config.rateLimits.windowMs }),
      throttle: services.throttle,
      pages,
      limits: config.rateLimits,
      onLimited: createRateLimitAudit({ ...base, ...oidc, windowMs: config.rateLimits.windowMs }),
    });
    const publicApp = createPublicApp({
      ...base,
      oidc: () => holder.live().callback,
      metrics,
      readiness: [
        postgresReadiness(orm, ['oidc_model', 'account', 'signing_key']),
        { name: 'redis', check: () => redis.ping() },
      ],
      pageRouter: createSitePageRouter({
        ...base,
        ...oidc,
        ...services,
        accounts,
        pages,
        brand,
        formLimits: rateLimits.forms,
        signInAttempt: rateLimits.signInAttempt,
      }),
      pages,
      oauthLimits: rateLimits.oauth,
    });
    const routers = createAdminRouters({ ...base, ...oidc, ...signing, accounts });
    const adminApp = createAdminApp({ ...base, metrics, routers });
    const publicServer = started.push(
      await listen(publicApp, config.host, config.port, {
        variables: { host: 'AUTH_HOST', port: 'AUTH_PORT' },
      }),
      (s) => s.close(),
      'public server',
    );
    const adminServer = started.push(
      await listen(adminApp, config.admin.host, config.admin.port, {
        variables: { host: 'ADMIN_HOST', port: 'ADMIN_PORT' },
      }),
      (s) => s.close(),
      'admin server',
    );
    const sweeper = started.push(
      startExpirySweeper(
        orm,
        logger,
        { clients: oidc.clients, ttlSec: config.registration.anonymousClientTtlSec },
        oidc.apiKeys,
      ),
      (sweeper) => sweeper.stop(),
      'expiry sweeper',
    );
    return {
      issuer: config.issuer,
      publicUrl: publicServer.url,
      adminUrl: adminServer.url,
      sweepNow: sweeper.sweepNow,
      close: started.close,
    };
  } catch (err) {
    await started.close().catch(() => undefined);
    throw err;
  }
}
