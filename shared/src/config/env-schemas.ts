import { z } from 'zod';
import { parseRedisUrl, REDIS_URL_FORMS, RedisUrlError } from '../redis/redis-url.ts';

/**
 * Building blocks shared by every service's config schema. Each message completes the sentence
 * "<VARIABLE> ...": it says what the value must be and how to get one; `loadConfig` adds the
 * value given (unless secret), and words zod's own issues the same way (config-problems.ts).
 */

/** A whole number from `min` (to `max`), e.g. `BCRYPT_COST`; one message whatever is wrong with it. */
export const wholeNumber = (min: number, max?: number) => {
  const error =
    max === undefined
      ? `must be a whole number of at least ${min}`
      : `must be a whole number from ${min} to ${max}`;
  const atLeast = z.coerce.number({ error }).int({ error }).min(min, { error });
  return max === undefined ? atLeast : atLeast.max(max, { error });
};

export const port = (fallback: number) => {
  const error = 'must be a port number (0-65535; 0 picks a free one)';
  return z.coerce.number({ error }).int({ error }).min(0, { error }).max(65535, { error }).default(fallback);
};

export const url = () =>
  z.string().refine((v) => URL.canParse(v), { message: 'must be an absolute URL (https://...)' });

const POSTGRES_URL = 'a postgres:// URL (postgres://user:password@host:5432/database)';

export const postgresUrl = () =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `is required: ${POSTGRES_URL}` : undefined) })
    .refine((v) => URL.canParse(v) && /^postgres(ql)?:$/.test(new URL(v).protocol), {
      message: `must be ${POSTGRES_URL}`,
    });

/** `REDIS_URL`: one server, a Cluster or a Sentinel set (redis-url.ts says which forms, and why not). */
export const redisUrl = () =>
  z.string().superRefine((v, ctx) => {
    try {
      parseRedisUrl(v);
    } catch (err) {
      if (!(err instanceof RedisUrlError)) throw err;
      ctx.addIssue({
        code: 'custom',
        message: err.message.startsWith('must')
          ? err.message
          : `is not valid (${err.message}); it must be ${REDIS_URL_FORMS}`,
      });
    }
  });

/** `REDIS_WAIT_REPLICAS`: replicas a write that must survive a failover waits for (Redis `WAIT`). */
export const redisWaitReplicas = () => wholeNumber(0, 16).optional();

/** Unset `REDIS_WAIT_REPLICAS`: 1 with a Sentinel URL (a failover promotes a replica), otherwise 0. */
export const waitReplicasFor = (redisUrl: string, given: number | undefined): number =>
  given ?? (parseRedisUrl(redisUrl).mode === 'sentinel' ? 1 : 0);

/** Comma-separated domain names (`example.com, tools.example`), lower-cased; empty or unset: none. */
export const domainList = () =>
  z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((d) => d.trim().toLowerCase().replace(/\.$/, ''))
        .filter(Boolean),
    )
    .refine(
      (domains) =>
        domains.every((d) =>
          /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(d),
        ),
      {
        message: 'must be comma-separated domain names (example.com, tools.example)',
      },
    );

export const positiveInt = (fallback: number) => wholeNumber(1).default(fallback);

export const logLevel = () =>
  z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

export const nodeEnv = () => z.enum(['development', 'test', 'production']).default('development');

/** How to make a key or token: what the messages about secrets suggest. */
export const GENERATE_SECRET = 'generate one with: openssl rand -base64 32';

/** MASTER_KEY: comma-separated base64 keys of 32 bytes each; the first wraps, all unwrap. */
export const masterKeys = () =>
  z
    .string()
    .transform((v) => v.split(',').map((k) => k.trim()))
    .refine((keys) => keys.length > 0 && keys.every((k) => Buffer.from(k, 'base64').length === 32), {
      message: `must be one or more comma-separated base64 keys of 32 bytes each (${GENERATE_SECRET})`,
    });

/** What `MASTER_KEY` is, for "is required in production: ...". */
export const MASTER_KEY_FORM = `32 random bytes, base64 (${GENERATE_SECRET})`;
