import {
  type DatabaseTimeouts,
  databaseTimeoutEnv,
  databaseTimeouts,
  deepFreeze,
  devSecret,
  domainList,
  type Env,
  GENERATE_SECRET,
  loadConfig,
  localUrl,
  logLevel,
  MASTER_KEY_FORM,
  masterKeys,
  nodeEnv,
  port,
  positiveInt,
  postgresUrl,
  productionUrl,
  redactUrl,
  redisUrl,
  redisWaitReplicas,
  requiredInProduction,
  url,
  waitReplicasFor,
  wholeNumber,
} from '@vectorauth/shared';
import { z } from 'zod';
import type { ClientCacheSettings } from './clients/client-cache.ts';
import { MFA_REQUIREMENTS, type MfaRequirement } from './oidc/mfa-requirement.ts';
import { brandColorProblem, brandLogoProblem } from './pages/brand.ts';

/** A string refused in `problem`'s own words whenever it names one. */
const checkedString = (problem: (value: string) => string | undefined) =>
  z.string().superRefine((value, ctx) => {
    const found = problem(value);
    if (found) ctx.addIssue({ code: 'custom', message: found });
  });

const SECRETS = [
  'ADMIN_TOKEN',
  'MASTER_KEY',
  'COOKIE_KEYS',
  'DATABASE_URL',
  'REDIS_URL',
  'SMTP_URL',
  'GOOGLE_CLIENT_SECRET',
  'MICROSOFT_CLIENT_SECRET',
  'LINKEDIN_CLIENT_SECRET',
  'GITHUB_CLIENT_SECRET',
] as const;

const envSchema = z
  .object({
    NODE_ENV: nodeEnv(),
    LOG_LEVEL: logLevel(),
    ISSUER: url().optional(),
    AUTH_HOST: z.string().default('127.0.0.1'),
    AUTH_PORT: port(3000),
    ADMIN_HOST: z.string().default('127.0.0.1'),
    ADMIN_PORT: port(3001),
    ADMIN_TOKEN: z.string().min(32, `must be 32 or more characters (${GENERATE_SECRET})`).optional(),
    /** Unset: `http://localhost:$VECTOR_PORT` (development only; production requires it). */
    VECTOR_API_URL: url().optional(),
    VECTOR_PORT: port(4000),
    DATABASE_URL: postgresUrl(),
    REDIS_URL: redisUrl().default('redis://127.0.0.1:6379'),
    REDIS_WAIT_REPLICAS: redisWaitReplicas(),
    DATA_DIR: z.string().default('./.data'),
    MASTER_KEY: masterKeys().optional(),
    COOKIE_KEYS: z
      .string()
      .transform((v) => v.split(',').map((k) => k.trim()))
      .refine((keys) => keys.every((k) => k.length >= 32), {
        message: `must be comma-separated keys of 32 or more characters each (${GENERATE_SECRET})`,
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
    REFRESH_TOKEN_REUSE_GRACE_SEC: wholeNumber(0, 300).default(30),
    /** DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS, DB_CONNECT_TIMEOUT_MS: a stalled Postgres is a 503. */
    ...databaseTimeoutEnv(),
    SESSION_TTL: positiveInt(14 * 24 * 3600),
    /** Clients held in memory: at most this long without a change notice (0: every request reads Postgres). */
    CLIENT_CACHE_TTL_SEC: wholeNumber(0, 3600).default(30),
    CLIENT_CACHE_MAX_ENTRIES: positiveInt(10_000),
    /** RFC 7591 registration without an initial access token (public native clients only). */
    REGISTRATION_ANONYMOUS: z
      .enum(['on', 'off'])
      .default('off')
      .transform((v) => v === 'on'),
    /** An anonymously registered client without any grant this long after registering is deleted. */
    ANONYMOUS_CLIENT_TTL_DAYS: z.coerce.number().positive().max(3650).default(30),
    /** Client ID Metadata Documents: a client_id that is an https URL is fetched (on by default). */
    CIMD: z
      .enum(['on', 'off'])
      .default('on')
      .transform((v) => v === 'on'),
    /** Only these domains (and their subdomains) may be CIMD clients; empty: any public host. */
    CIMD_ALLOWED_DOMAINS: domainList(),
    /** Never these domains (and their subdomains), whatever CIMD_ALLOWED_DOMAINS says. */
    CIMD_BLOCKED_DOMAINS: domainList(),
    /** Longest a fetched document is trusted, whatever its Cache-Control says (at least 30 s). */
    CIMD_MAX_CACHE_SEC: wholeNumber(30, 86_400).default(3600),
    /** PEM file of extra CAs trusted for the server's outbound https fetches (a private CA). */
    OUTBOUND_CA_FILE: z.string().min(1).optional(),
    ADMIN_MAX_BODY_BYTES: positiveInt(64 * 1024),
    BCRYPT_COST: wholeNumber(4, 15).default(12),
    SMTP_URL: z
      .string()
      .refine((v) => URL.canParse(v) && /^smtps?:$/.test(new URL(v).protocol), {
        message: 'must be an smtp:// or smtps:// URL (smtps://user:password@mail.example:465)',
      })
      .optional(),
    MAIL_FROM: z.string().default('vectorauth <no-reply@localhost>'),
    /** The product name on every page (and in their titles). */
    BRAND_NAME: z.string().trim().min(1).max(60).default('vectorauth'),
    /** The light scheme's accent (buttons, links), #rrggbb, at least 4.5:1 with white. */
    BRAND_COLOR: checkedString(brandColorProblem).optional(),
    /** A logo (.svg, .png or .webp, at most 256 KiB) shown beside the name, served from our origin. */
    BRAND_LOGO_FILE: checkedString(brandLogoProblem).optional(),
    TRUST_PROXY: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /** Two-step sign-in: `off` (each person chooses), `all` (everyone), `admin` (apps with the admin scope). */
    REQUIRE_MFA: z
      .enum(MFA_REQUIREMENTS, {
        message:
          "must be 'off' (two-step sign-in is each person's choice), 'all' (everyone must use it) or 'admin' (required for apps with the admin scope)",
      })
      .default('off'),
    /** Passkeys' relying party: a domain, the issuer's host or a parent of it (unset: the issuer's host). */
    WEBAUTHN_RP_ID: z
      .string()
      .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z][a-z0-9-]{0,61}[a-z0-9]$/, {
        message: 'must be a domain name in lower case, without scheme or port (such as example.com)',
      })
      .optional(),
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
    // A passkey's RP ID must be the host of the pages that use it, or a domain above it (WebAuthn).
    const issuerHost = URL.canParse(env.ISSUER ?? '') ? new URL(env.ISSUER!).hostname : 'localhost';
    const rpId = env.WEBAUTHN_RP_ID;
    // A top-level domain alone is never one (browsers refuse public suffixes).
    const tooWide = rpId !== undefined && !rpId.includes('.') && rpId !== 'localhost';
    if (rpId && (tooWide || (issuerHost !== rpId && !issuerHost.endsWith(`.${rpId}`)))) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEBAUTHN_RP_ID'],
        message: `must be the ISSUER's host (${issuerHost}) or a domain it is under, never a top-level domain alone`,
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
  ADMIN_TOKEN: requiredInProduction(`32 or more random characters (${GENERATE_SECRET})`),
  MASTER_KEY: requiredInProduction(MASTER_KEY_FORM),
  COOKIE_KEYS: requiredInProduction(
    `comma-separated keys of 32 or more characters, the first signs (${GENERATE_SECRET})`,
  ),
  ISSUER: productionUrl("the auth server's public URL, such as https://id.example"),
  VECTOR_API_URL: productionUrl("the vector API's public URL, such as https://vectors.example"),
  SMTP_URL: requiredInProduction(
    'the mail relay for verification and reset mails, such as smtps://user:password@mail.example:465',
  ),
});

export interface AuthServerConfig {
  nodeEnv: 'development' | 'test' | 'production';
  logLevel: string;
  /** The public (OAuth and pages) port. */
  host: string;
  port: number;
  /** Unset ISSUER: `http://localhost:$AUTH_PORT` (development only). */
  issuer: string;
  /** The vector API's URL: the audience and RFC 8707 resource of its access tokens. */
  vectorApiUrl: string;
  admin: AuthAdminSettings;
  databaseUrl: string;
  redisUrl: string;
  /** Replicas a revocation must reach (Redis WAIT) before it is acknowledged. */
  redisWaitReplicas: number;
  dataDir: string;
  /** Base64 32-byte keys, first encrypts, all decrypt (signing keys, client secrets at rest). */
  masterKeys: readonly string[];
  /** Cookie signing keys, first signs, all verify. */
  cookieKeys: readonly string[];
  keys: SigningKeySettings;
  tokens: TokenLifetimes;
  bcryptCost: number;
  mail: { smtpUrl: string | undefined; from: string };
  /** The operator's name, accent colour and logo on the pages. */
  brand: { name: string; color?: string; logoFile?: string };
  /** Behind a TLS-terminating proxy: trust X-Forwarded-*. */
  trustProxy: boolean;
  rateLimits: AuthRateLimitSettings;
  /** `all`: every sign-in needs a second factor; a person without one sets it up first. */
  requireMfa: MfaRequirement;
  /** Passkeys: the WebAuthn relying party id (a domain) and the origin the ceremonies run on (the issuer's). */
  webauthn: { rpId: string; origin: string };
  /** Clients in memory, invalidated at every instance on every change; the TTL is the safety net. */
  clientCache: ClientCacheSettings;
  /** Client ID Metadata Documents (clients whose id is the https URL of their metadata). */
  cimd: CimdSettings;
  /** RFC 7591 without an initial access token, and how long its clients may stay unused. */
  registration: { anonymous: boolean; anonymousClientTtlSec: number };
  /** Extra CA certificates (PEM) for outbound https, besides the system's. */
  outboundCaFile: string | undefined;
  upstreams: UpstreamSettings;
  /** Statement, lock and connect timeouts of the database pool (DB_*_MS). */
  database: DatabaseTimeouts;
}

export interface CimdSettings {
  enabled: boolean;
  /** Lower-case domains; a host matches its domain or any subdomain of it. Empty: any public host. */
  allowedDomains: readonly string[];
  blockedDomains: readonly string[];
  maxCacheSec: number;
}

export interface AuthAdminSettings {
  host: string;
  port: number;
  token: string;
  maxBodyBytes: number;
}

export interface SigningKeySettings {
  alg: 'ES256' | 'RS256' | 'PS256' | 'EdDSA';
  /** How often each instance reconciles its key set with Postgres (besides Redis notices). */
  syncIntervalSec: number;
  /** `Cache-Control: max-age` of the JWKS response. */
  jwksMaxAgeSec: number;
  /** Least time a `next` key is published before it may sign. */
  publishWaitSec: number;
  /** Extra time a retired key stays published after its last token expired. */
  removalGraceSec: number;
  /** Automatic rotation age of the current key; unset: rotate by hand only. */
  rotationDays: number | undefined;
}

/** Lifetimes in seconds. */
export interface TokenLifetimes {
  accessTokenTtl: number;
  idTokenTtl: number;
  authorizationCodeTtl: number;
  refreshTokenTtl: number;
  /** A rotated refresh token presented again this soon, successor unused, gets that successor. */
  refreshTokenReuseGraceSec: number;
  sessionTtl: number;
}

export interface AuthRateLimitSettings {
  windowMs: number;
  oauthPerClient: number;
  registrationPerIp: number;
  formsPerIp: number;
  mailsPerAccount: number;
}

export interface UpstreamCredentials {
  clientId: string | undefined;
  clientSecret: string | undefined;
}

export interface UpstreamSettings {
  google: UpstreamCredentials & { issuer: string };
  microsoft: UpstreamCredentials & { tenant: string | undefined; issuer: string | undefined };
  linkedin: UpstreamCredentials & { issuer: string };
  github: UpstreamCredentials & { authorizeUrl: string; tokenUrl: string; apiUrl: string };
}

/**
 * The auth server's configuration, parsed once from `env`: every bad key is reported together,
 * secrets never appear in messages, the result is frozen. Development fills secrets from
 * DATA_DIR and derives the URLs from AUTH_PORT and VECTOR_PORT; production requires them.
 */
export function loadAuthServerConfig(env: Env): AuthServerConfig {
  const production = env.NODE_ENV === 'production';
  const raw = loadConfig(envSchema, env, SECRETS, production ? productionChecks : undefined);
  const dataDir = raw.DATA_DIR;
  const issuer = raw.ISSUER ?? localUrl(raw.AUTH_PORT);
  const config: AuthServerConfig = {
    nodeEnv: raw.NODE_ENV,
    logLevel: raw.LOG_LEVEL,
    host: raw.AUTH_HOST,
    port: raw.AUTH_PORT,
    issuer,
    vectorApiUrl: raw.VECTOR_API_URL ?? localUrl(raw.VECTOR_PORT),
    admin: {
      host: raw.ADMIN_HOST,
      port: raw.ADMIN_PORT,
      token: raw.ADMIN_TOKEN ?? devSecret(dataDir, 'admin-token'),
      maxBodyBytes: raw.ADMIN_MAX_BODY_BYTES,
    },
    databaseUrl: raw.DATABASE_URL,
    redisUrl: raw.REDIS_URL,
    redisWaitReplicas: waitReplicasFor(raw.REDIS_URL, raw.REDIS_WAIT_REPLICAS),
    dataDir,
    masterKeys: raw.MASTER_KEY ?? [devSecret(dataDir, 'master-key')],
    cookieKeys: raw.COOKIE_KEYS ?? [devSecret(dataDir, 'cookie-key')],
    keys: {
      alg: raw.SIGNING_ALG,
      syncIntervalSec: raw.KEY_SYNC_INTERVAL_SEC,
      jwksMaxAgeSec: raw.JWKS_MAX_AGE_SEC,
      publishWaitSec: raw.KEY_PUBLISH_WAIT_SEC,
      removalGraceSec: raw.KEY_REMOVAL_GRACE_SEC,
      rotationDays: raw.KEY_ROTATION_DAYS,
    },
    tokens: {
      accessTokenTtl: raw.ACCESS_TOKEN_TTL,
      idTokenTtl: raw.ID_TOKEN_TTL,
      authorizationCodeTtl: raw.AUTHORIZATION_CODE_TTL,
      refreshTokenTtl: raw.REFRESH_TOKEN_TTL,
      refreshTokenReuseGraceSec: raw.REFRESH_TOKEN_REUSE_GRACE_SEC,
      sessionTtl: raw.SESSION_TTL,
    },
    bcryptCost: raw.BCRYPT_COST,
    mail: { smtpUrl: raw.SMTP_URL, from: raw.MAIL_FROM },
    brand: {
      name: raw.BRAND_NAME,
      ...(raw.BRAND_COLOR ? { color: raw.BRAND_COLOR } : {}),
      ...(raw.BRAND_LOGO_FILE ? { logoFile: raw.BRAND_LOGO_FILE } : {}),
    },
    trustProxy: raw.TRUST_PROXY,
    rateLimits: {
      windowMs: raw.RATE_LIMIT_WINDOW_SEC * 1000,
      oauthPerClient: raw.RATE_LIMIT_OAUTH_PER_CLIENT,
      registrationPerIp: raw.RATE_LIMIT_REGISTRATION_PER_IP,
      formsPerIp: raw.RATE_LIMIT_FORMS_PER_IP,
      mailsPerAccount: raw.RATE_LIMIT_MAILS_PER_ACCOUNT,
    },
    requireMfa: raw.REQUIRE_MFA,
    webauthn: { rpId: raw.WEBAUTHN_RP_ID ?? new URL(issuer).hostname, origin: new URL(issuer).origin },
    clientCache: { ttlSec: raw.CLIENT_CACHE_TTL_SEC, maxEntries: raw.CLIENT_CACHE_MAX_ENTRIES },
    cimd: {
      enabled: raw.CIMD,
      allowedDomains: raw.CIMD_ALLOWED_DOMAINS,
      blockedDomains: raw.CIMD_BLOCKED_DOMAINS,
      maxCacheSec: raw.CIMD_MAX_CACHE_SEC,
    },
    outboundCaFile: raw.OUTBOUND_CA_FILE,
    registration: {
      anonymous: raw.REGISTRATION_ANONYMOUS,
      anonymousClientTtlSec: Math.round(raw.ANONYMOUS_CLIENT_TTL_DAYS * 86_400),
    },
    upstreams: {
      google: {
        clientId: raw.GOOGLE_CLIENT_ID,
        clientSecret: raw.GOOGLE_CLIENT_SECRET,
        issuer: raw.GOOGLE_ISSUER,
      },
      microsoft: {
        clientId: raw.MICROSOFT_CLIENT_ID,
        clientSecret: raw.MICROSOFT_CLIENT_SECRET,
        tenant: raw.MICROSOFT_TENANT,
        issuer: raw.MICROSOFT_ISSUER,
      },
      linkedin: {
        clientId: raw.LINKEDIN_CLIENT_ID,
        clientSecret: raw.LINKEDIN_CLIENT_SECRET,
        issuer: raw.LINKEDIN_ISSUER,
      },
      github: {
        clientId: raw.GITHUB_CLIENT_ID,
        clientSecret: raw.GITHUB_CLIENT_SECRET,
        authorizeUrl: raw.GITHUB_AUTHORIZE_URL,
        tokenUrl: raw.GITHUB_TOKEN_URL,
        apiUrl: raw.GITHUB_API_URL,
      },
    },
    database: databaseTimeouts(raw),
  };
  return deepFreeze(config);
}

/** The config with secrets and URL credentials hidden, for the ready log line. */
export function describeAuthServerConfig(config: AuthServerConfig): Record<string, unknown> {
  const hidden = '[redacted]';
  const upstreams = Object.fromEntries(
    Object.entries(config.upstreams).map(([id, upstream]) => [
      id,
      { ...upstream, clientSecret: upstream.clientSecret && hidden },
    ]),
  );
  return {
    ...config,
    admin: { ...config.admin, token: hidden },
    masterKeys: hidden,
    cookieKeys: hidden,
    databaseUrl: redactUrl(config.databaseUrl),
    redisUrl: redactUrl(config.redisUrl),
    mail: { ...config.mail, smtpUrl: config.mail.smtpUrl && redactUrl(config.mail.smtpUrl) },
    upstreams,
  };
}
