import { z } from 'zod';
import { parseRedisUrl, REDIS_URL_FORMS, RedisUrlError } from '../redis/redis-url.ts';

/** Building blocks shared by every service's config schema. */
export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

export const url = () => z.string().refine((v) => URL.canParse(v), { message: 'must be an absolute URL' });

export const postgresUrl = () =>
  z.string().refine((v) => URL.canParse(v) && /^postgres(ql)?:$/.test(new URL(v).protocol), {
    message: 'must be a postgres:// URL',
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
          : `${err.message}; it must be ${REDIS_URL_FORMS}`,
      });
    }
  });

/** `REDIS_WAIT_REPLICAS`: replicas a write that must survive a failover waits for (Redis `WAIT`). */
export const redisWaitReplicas = () => z.coerce.number().int().min(0).max(16).optional();

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
        message: 'must be comma-separated domain names',
      },
    );

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const logLevel = () =>
  z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

export const nodeEnv = () => z.enum(['development', 'test', 'production']).default('development');

/** MASTER_KEY: comma-separated base64 keys of 32 bytes each; the first wraps, all unwrap. */
export const masterKeys = () =>
  z
    .string()
    .transform((v) => v.split(',').map((k) => k.trim()))
    .refine((keys) => keys.length > 0 && keys.every((k) => Buffer.from(k, 'base64').length === 32), {
      message: 'must be one or more comma-separated base64 keys of 32 bytes',
    });
