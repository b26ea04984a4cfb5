import {
  databaseTimeoutEnv,
  devSecret,
  type Env,
  loadConfig,
  localUrl,
  logLevel,
  masterKeys,
  nodeEnv,
  port,
  positiveInt,
  postgresUrl,
  productionUrl,
  redisUrl,
  requiredInProduction,
  url,
} from '@vectorauth/shared';
import { z } from 'zod';

export const AUTH_SECRETS = [
  'ADMIN_TOKEN',
  'MASTER_KEY',
  'COOKIE_KEYS',
  'DATABASE_URL',
  'REDIS_URL',
  'GOOGLE_CLIENT_SECRET',
  'MICROSOFT_CLIENT_SECRET',
  'LINKEDIN_CLIENT_SECRET',
  'GITHUB_CLIENT_SECRET',
] as const;

const schema = z
  .object({
    NODE_ENV: nodeEnv(),
    LOG_LEVEL: logLevel(),
    ISSUER: url().optional(),
    AUTH_HOST: z.string().default('127.0.0.1'),
    AUTH_PORT: port(3000),
    ADMIN_HOST: z.string().default('127.0.0.1'),
    ADMIN_PORT: port(3001),
    ADMIN_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
    /** Unset: `http://localhost:$VECTOR_PORT` (development only; production requires it). */
    VECTOR_API_URL: url().optional(),
    VECTOR_PORT: port(4000),
    DATABASE_URL: postgresUrl(),
    REDIS_URL: redisUrl().default('redis://127.0.0.1:6379'),
    DATA_DIR: z.string().default('./.data'),
    MASTER_KEY: masterKeys().optional(),
    COOKIE_KEYS: z
      .string()
      .transform((v) => v.split(',').map((k) => k.trim()))
      .refine((keys) => keys.every((k) => k.length >= 32), {
        message: 'each cookie key needs 32+ characters',
      })
      .optional(),
    SIGNING_ALG: z.enum(['ES256', 'RS256', 'PS256', 'EdDSA']).default('ES256'),
    /** Signing keys: how often each instance reconciles its key set with Postgres (besides Redis notices). */
    KEY_SYNC_INTERVAL_SEC: positiveInt(30),
    /** `Cache-Control: max-age` of the JWKS response. */
    JWKS_MAX_AGE_SEC: positiveInt(60),
    /** Least time a `next` key is published before it may sign (promotion refuses earlier). */
    KEY_PUBLISH_WAIT_SEC: positiveInt(300),
    /** Extra time a retired key stays published after its last token expired (clock skew). */
    KEY_REMOVAL_GRACE_SEC: positiveInt(60),
    /** Automatic rotation: stage a `next` at half this age of the current key, promote at this age. */
    KEY_ROTATION_DAYS: z.coerce.number().positive().optional(),
    ACCESS_TOKEN_TTL: positiveInt(600),
    ID_TOKEN_TTL: positiveInt(3600),
    AUTHORIZATION_CODE_TTL: positiveInt(60),
    REFRESH_TOKEN_TTL: positiveInt(14 * 24 * 3600),
    /** A rotated refresh token presented again within this many seconds, successor unused, gets that successor (0: off). */
    REFRESH_TOKEN_REUSE_GRACE_SEC: z.coerce.number().int().min(0).max(300).default(30),
    /** DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS, DB_CONNECT_TIMEOUT_MS: a stalled Postgres is a 503. */
    ...databaseTimeoutEnv(),
    SESSION_TTL: positiveInt(14 * 24 * 3600),
    ADMIN_MAX_BODY_BYTES: positiveInt(64 * 1024),
    BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
    SMTP_URL: z
      .string()
      .refine((v) => URL.canParse(v) && /^smtps?:$/.test(new URL(v).protocol), {
        message: 'must be an smtp:// or smtps:// URL',
      })
      .optional(),
    MAIL_FROM: z.string().default('vectorauth <no-reply@localhost>'),
    TRUST_PROXY: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    RATE_LIMIT_WINDOW_SEC: positiveInt(60),
    RATE_LIMIT_OAUTH_PER_CLIENT: positiveInt(1200),
    RATE_LIMIT_REGISTRATION_PER_IP: positiveInt(30),
    RATE_LIMIT_FORMS_PER_IP: positiveInt(60),
    RATE_LIMIT_MAILS_PER_ACCOUNT: positiveInt(3),
    /** Upstream identity providers (see federation/upstream-providers.ts); one without credentials is hidden. */
    GOOGLE_CLIENT_ID: z.string().min(1).optional(),
    GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
    GOOGLE_ISSUER: url().default('https://accounts.google.com'),
    MICROSOFT_CLIENT_ID: z.string().min(1).optional(),
    MICROSOFT_CLIENT_SECRET: z.string().min(1).optional(),
    MICROSOFT_TENANT: z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/, 'must be a tenant id or domain')
      .refine((t) => !['common', 'organizations', 'consumers'].includes(t.toLowerCase()), {
        message: 'must be one tenant (id or domain): multi-tenant issuers are not checked yet',
      })
      .optional(),
    MICROSOFT_ISSUER: url().optional(),
    LINKEDIN_CLIENT_ID: z.string().min(1).optional(),
    LINKEDIN_CLIENT_SECRET: z.string().min(1).optional(),
    LINKEDIN_ISSUER: url().default('https://www.linkedin.com/oauth'),
    GITHUB_CLIENT_ID: z.string().min(1).optional(),
    GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
    GITHUB_AUTHORIZE_URL: url().default('https://github.com/login/oauth/authorize'),
    GITHUB_TOKEN_URL: url().default('https://github.com/login/oauth/access_token'),
    GITHUB_API_URL: url().default('https://api.github.com'),
  })
  .superRefine((env, ctx) => {
    if (env.MICROSOFT_CLIENT_ID && !env.MICROSOFT_TENANT && !env.MICROSOFT_ISSUER) {
      ctx.addIssue({
        code: 'custom',
        path: ['MICROSOFT_TENANT'],
        message: 'is required with MICROSOFT_CLIENT_ID (one tenant id or domain)',
      });
    }
    // A `next` key must be in every JWKS a resource server can hold before it signs: every
    // instance has loaded it (sync interval), HTTP caches expired (max-age), a verifier's refetch
    // cooldown (5 s) has passed.
    const leastWait = env.JWKS_MAX_AGE_SEC + env.KEY_SYNC_INTERVAL_SEC + 5;
    if (env.KEY_PUBLISH_WAIT_SEC < leastWait) {
      ctx.addIssue({
        code: 'custom',
        path: ['KEY_PUBLISH_WAIT_SEC'],
        message: `must be at least JWKS_MAX_AGE_SEC + KEY_SYNC_INTERVAL_SEC + 5 (${leastWait})`,
      });
    }
  });

/**
 * What production adds (checked beside the schema, so every bad key is listed at once): explicit
 * secrets, explicit https URLs (plain http only to loopback), and real mail (reset and
 * verification links never land in a log).
 */
const productionChecks = z.object({
  ADMIN_TOKEN: requiredInProduction(),
  MASTER_KEY: requiredInProduction(),
  COOKIE_KEYS: requiredInProduction(),
  ISSUER: productionUrl(),
  VECTOR_API_URL: productionUrl(),
  SMTP_URL: requiredInProduction(),
});

/** Validated, frozen auth-server configuration. Development fills secrets from DATA_DIR. */
export function loadAuthServerConfig(env: Env) {
  const production = env.NODE_ENV === 'production';
  const parsed = loadConfig(schema, env, AUTH_SECRETS, production ? productionChecks : undefined);
  const dataDir = parsed.DATA_DIR;
  return Object.freeze({
    ...parsed,
    ISSUER: parsed.ISSUER ?? localUrl(parsed.AUTH_PORT),
    VECTOR_API_URL: parsed.VECTOR_API_URL ?? localUrl(parsed.VECTOR_PORT),
    ADMIN_TOKEN: parsed.ADMIN_TOKEN ?? devSecret(dataDir, 'admin-token'),
    MASTER_KEY: parsed.MASTER_KEY ?? [devSecret(dataDir, 'master-key')],
    COOKIE_KEYS: parsed.COOKIE_KEYS ?? [devSecret(dataDir, 'cookie-key')],
  });
}

export type AuthServerConfig = ReturnType<typeof loadAuthServerConfig>;
