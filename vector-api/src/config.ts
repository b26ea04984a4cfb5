import { availableParallelism } from 'node:os';
import {
  type DatabaseTimeouts,
  databaseTimeoutEnv,
  databaseTimeouts,
  deepFreeze,
  devSecret,
  type Env,
  hostList,
  loadConfig,
  localUrl,
  logLevel,
  MASTER_KEY_FORM,
  masterKeys,
  nodeEnv,
  parseHostList,
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
import { parseQuotaOverrides, QUOTA_OVERRIDES, type VectorQuotas } from './abuse/quotas.ts';
import { parseOverrides, type VectorRateLimits } from './abuse/vector-rate-limit.ts';

/** Algorithms a resource server may accept; `none` and the HMAC family are never allowed. */
const SIGNING_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
  'Ed25519',
];

const SECRETS = ['MASTER_KEY', 'VECTOR_DATABASE_URL', 'REDIS_URL'] as const;

export interface VectorApiLimits {
  maxBatch: number;
  maxBodyBytes: number;
  maxDimension: number;
  maxK: number;
  maxMetadataBytes: number;
}

export interface VectorApiConfig {
  nodeEnv: 'development' | 'test' | 'production';
  logLevel: string;
  host: string;
  port: number;
  /** The token audience and RFC 8707 resource indicator. */
  apiUrl: string;
  issuer: string;
  jwksUri: string;
  databaseUrl: string;
  redisUrl: string;
  /** Replicas a collection's published version must reach (Redis WAIT) before the write commits. */
  redisWaitReplicas: number;
  dataDir: string;
  /** Base64 32-byte keys, first wraps, all unwrap (used by encryption at rest). */
  masterKeys: readonly string[];
  tokenAlgorithms: readonly string[];
  tokenClockSkewSec: number;
  limits: VectorApiLimits;
  index: VectorIndexSettings;
  /** Unwrapped data keys kept in memory (least recently used out first). */
  keyCacheSize: number;
  /** Tombstones of deleted vectors older than this are purged (older snapshots then reload fully). */
  tombstoneTtlSec: number;
  events: VectorEventSettings;
  rateLimits: { windowMs: number } & VectorRateLimits;
  /** Per principal: collections, vectors and stored bytes (VECTOR_QUOTA_*), per calling client where overridden. */
  quotas: VectorQuotas;
  /** Browser origins allowed to call the API (CORS); none by default. */
  corsOrigins: readonly string[];
  /** RFC 9449 section 9: DPoP proofs must carry a nonce this API handed out (VECTOR_DPOP_NONCE=on). */
  dpopNonce: boolean;
  /** Behind a TLS-terminating proxy: trust X-Forwarded-*, and in production refuse what it marks http. */
  trustProxy: boolean;
  /** Statement, lock and connect timeouts of the database pool (DB_*_MS). */
  database: DatabaseTimeouts;
}

export interface VectorIndexSettings {
  /** Memory for cached FAISS indexes (VECTOR_CACHE_MB), in bytes. */
  cacheBytes: number;
  /** Records changed since the last snapshot that trigger a new one; 0 writes none. */
  snapshotEvery: number;
  snapshotDelayMs: number;
  /** OpenMP/OpenBLAS threads of the FAISS worker (VECTOR_SEARCH_THREADS; default half the cores, at least 1). */
  threads: number;
}

export interface VectorEventSettings {
  /** Consumer group of the principal-events stream; every vector-api instance shares it. */
  group: string;
  /** Events another instance left unacknowledged this long are taken over. */
  claimIdleMs: number;
}

const algorithms = () =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .refine((list) => list.length > 0 && list.every((a) => SIGNING_ALGORITHMS.includes(a)), {
      message: `must be a comma-separated list of ${SIGNING_ALGORITHMS.join(', ')}`,
    })
    .default(['ES256', 'RS256', 'PS256', 'EdDSA']);

function envSchema() {
  return z.object({
    NODE_ENV: nodeEnv(),
    LOG_LEVEL: logLevel(),
    VECTOR_HOST: z.string().min(1).optional(),
    VECTOR_PORT: port(4000),
    /** Unset in development: `http://localhost:$VECTOR_PORT`; required in production. */
    VECTOR_API_URL: url().optional(),
    /** Unset in development: `http://localhost:$AUTH_PORT` (the port `npm start` gives the auth server). */
    ISSUER: url().optional(),
    AUTH_PORT: port(3000),
    JWKS_URI: url().optional(),
    /** Private host names JWKS_URI may reach over plain http in production (e.g. `auth-server` in compose). */
    JWKS_HTTP_HOSTS: hostList(),
    VECTOR_DATABASE_URL: postgresUrl(),
    REDIS_URL: redisUrl().default('redis://127.0.0.1:6379'),
    REDIS_WAIT_REPLICAS: redisWaitReplicas(),
    ...databaseTimeoutEnv(),
    DATA_DIR: z.string().min(1).default('./.data'),
    MASTER_KEY: masterKeys().optional(),
    TOKEN_ALGORITHMS: algorithms(),
    TOKEN_CLOCK_SKEW_SEC: wholeNumber(0, 300).default(5),
    VECTOR_MAX_BATCH: positiveInt(1000),
    VECTOR_MAX_BODY_BYTES: positiveInt(16 * 1024 * 1024),
    VECTOR_MAX_DIMENSION: positiveInt(4096),
    VECTOR_MAX_K: positiveInt(1000),
    VECTOR_MAX_METADATA_BYTES: positiveInt(16384),
    VECTOR_CACHE_MB: positiveInt(1024),
    VECTOR_SNAPSHOT_EVERY: wholeNumber(0).default(1000),
    VECTOR_SNAPSHOT_DELAY_MS: wholeNumber(0, 3_600_000).default(2000),
    VECTOR_SEARCH_THREADS: wholeNumber(1, 256).optional(),
    VECTOR_TOMBSTONE_TTL_SEC: positiveInt(86_400),
    VECTOR_KEY_CACHE_SIZE: positiveInt(10_000),
    VECTOR_EVENTS_GROUP: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1 to 64 letters, digits or . _ : - characters')
      .default('vector-api'),
    VECTOR_EVENTS_CLAIM_IDLE_MS: positiveInt(30_000),
    VECTOR_RATE_LIMIT: positiveInt(100),
    VECTOR_RATE_LIMIT_WINDOW_SEC: positiveInt(60),
    VECTOR_RATE_LIMIT_SCOPES: overrides(),
    VECTOR_RATE_LIMIT_CLIENTS: overrides(),
    VECTOR_QUOTA_COLLECTIONS: positiveInt(1000),
    VECTOR_QUOTA_VECTORS: positiveInt(10_000_000),
    VECTOR_QUOTA_MB: positiveInt(65_536),
    VECTOR_QUOTA_CLIENTS: z
      .string()
      .regex(
        QUOTA_OVERRIDES,
        'must look like "client=collections:10/vectors:50000/mb:512,other=vectors:1000"',
      )
      .optional(),
    TRUST_PROXY: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    VECTOR_DPOP_NONCE: z
      .enum(['on', 'off'])
      .default('off')
      .transform((v) => v === 'on'),
    CORS_ORIGINS: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .refine((list) => list.every((o) => o !== '*' && URL.canParse(o) && new URL(o).origin === o), {
        message: 'must be comma-separated origins like https://app.example (no paths, no *)',
      })
      .default([]),
  });
}

/**
 * FAISS's threads on a machine with `cores`: half of them, at least one. The request thread needs
 * a core of its own, and FAISS's two thread pools (OpenMP and OpenBLAS) sized to every core fight
 * each other and it: on 2 cores, 20 queries took ~100 ms per call with the defaults against ~5 ms
 * with one thread (scripts/bench/faiss-threads.ts). Only measured on 2 cores.
 */
export function defaultSearchThreads(cores: number): number {
  return Math.max(1, Math.floor(cores / 2));
}

/** `"name=limit,name=limit"`: per-scope or per-client rate limits. */
const overrides = () =>
  z
    .string()
    .regex(
      /^\s*[^=,\s]+\s*=\s*[1-9]\d*\s*(,\s*[^=,\s]+\s*=\s*[1-9]\d*\s*)*$/,
      'must look like "name=100,other=20" (each limit at least 1)',
    )
    .optional();

/**
 * Production trusts only what the operator configured: the issuer and the vector API's own URL
 * are explicit and https (http only to loopback); keys come over https too, or over plain http
 * from a private host listed in JWKS_HTTP_HOSTS.
 */
function productionChecks(env: Env) {
  return z.object({
    MASTER_KEY: requiredInProduction(MASTER_KEY_FORM),
    ISSUER: productionUrl("the auth server's public URL, such as https://id.example"),
    VECTOR_API_URL: productionUrl("the vector API's public URL, such as https://vectors.example"),
    JWKS_URI: productionUrl(
      "the auth server's key set, such as https://id.example/jwks",
      parseHostList(env.JWKS_HTTP_HOSTS),
      'JWKS_HTTP_HOSTS',
    ).optional(),
  });
}

/**
 * The vector API's configuration, parsed once from `env`: every bad key is reported together,
 * secrets never appear in messages, the result is frozen. Production requires MASTER_KEY,
 * ISSUER and VECTOR_API_URL; development derives the URLs from AUTH_PORT and VECTOR_PORT.
 */
export function loadVectorApiConfig(env: Env): VectorApiConfig {
  const production = env.NODE_ENV === 'production';
  const raw = loadConfig(envSchema(), env, SECRETS, production ? productionChecks(env) : undefined);
  const port = raw.VECTOR_PORT;
  const issuer = (raw.ISSUER ?? localUrl(raw.AUTH_PORT)).replace(/\/+$/, '');
  const config: VectorApiConfig = {
    nodeEnv: raw.NODE_ENV,
    logLevel: raw.LOG_LEVEL,
    host: raw.VECTOR_HOST ?? (raw.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    port,
    apiUrl: raw.VECTOR_API_URL ?? localUrl(port),
    issuer,
    jwksUri: raw.JWKS_URI ?? `${issuer}/jwks`,
    databaseUrl: raw.VECTOR_DATABASE_URL,
    redisUrl: raw.REDIS_URL,
    redisWaitReplicas: waitReplicasFor(raw.REDIS_URL, raw.REDIS_WAIT_REPLICAS),
    dataDir: raw.DATA_DIR,
    masterKeys: raw.MASTER_KEY ?? [devSecret(raw.DATA_DIR, 'master-key')],
    tokenAlgorithms: raw.TOKEN_ALGORITHMS,
    tokenClockSkewSec: raw.TOKEN_CLOCK_SKEW_SEC,
    limits: {
      maxBatch: raw.VECTOR_MAX_BATCH,
      maxBodyBytes: raw.VECTOR_MAX_BODY_BYTES,
      maxDimension: raw.VECTOR_MAX_DIMENSION,
      maxK: raw.VECTOR_MAX_K,
      maxMetadataBytes: raw.VECTOR_MAX_METADATA_BYTES,
    },
    index: {
      cacheBytes: raw.VECTOR_CACHE_MB * 1024 * 1024,
      snapshotEvery: raw.VECTOR_SNAPSHOT_EVERY,
      snapshotDelayMs: raw.VECTOR_SNAPSHOT_DELAY_MS,
      threads: raw.VECTOR_SEARCH_THREADS ?? defaultSearchThreads(availableParallelism()),
    },
    keyCacheSize: raw.VECTOR_KEY_CACHE_SIZE,
    tombstoneTtlSec: raw.VECTOR_TOMBSTONE_TTL_SEC,
    events: { group: raw.VECTOR_EVENTS_GROUP, claimIdleMs: raw.VECTOR_EVENTS_CLAIM_IDLE_MS },
    rateLimits: {
      windowMs: raw.VECTOR_RATE_LIMIT_WINDOW_SEC * 1000,
      perPrincipal: raw.VECTOR_RATE_LIMIT,
      byScope: parseOverrides(raw.VECTOR_RATE_LIMIT_SCOPES),
      byClient: parseOverrides(raw.VECTOR_RATE_LIMIT_CLIENTS),
    },
    quotas: {
      global: {
        collections: raw.VECTOR_QUOTA_COLLECTIONS,
        vectors: raw.VECTOR_QUOTA_VECTORS,
        bytes: raw.VECTOR_QUOTA_MB * 1024 * 1024,
      },
      byClient: parseQuotaOverrides(raw.VECTOR_QUOTA_CLIENTS),
    },
    corsOrigins: raw.CORS_ORIGINS,
    dpopNonce: raw.VECTOR_DPOP_NONCE,
    trustProxy: raw.TRUST_PROXY,
    database: databaseTimeouts(raw),
  };
  return deepFreeze(config);
}

/** The config with secrets and URL credentials hidden, for the ready log line. */
export function describeVectorApiConfig(config: VectorApiConfig): Record<string, unknown> {
  return {
    ...config,
    masterKeys: '[redacted]',
    databaseUrl: redactUrl(config.databaseUrl),
    redisUrl: redactUrl(config.redisUrl),
  };
}
