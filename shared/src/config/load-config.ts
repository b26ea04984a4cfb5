import type { z } from 'zod';
import { ConfigError } from '../errors/errors.ts';
import { deepFreeze } from './deep-freeze.ts';

export type Env = Record<string, string | undefined>;

/**
 * Parses `env` with `schema` once. Every bad key is reported together, including those of
 * `checks` (a second schema whose output is not kept, e.g. production requirements, so its
 * issues are listed even when `schema` fails too); values of keys listed in `secrets` never
 * appear in a message. The result is deeply frozen.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Env,
  secrets: readonly string[] = [],
  checks?: z.ZodType,
): z.output<S> {
  const cleaned: Env = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const parsed = schema.safeParse(cleaned);
  const checked = checks?.safeParse(cleaned);
  const issues = [...(parsed.error?.issues ?? []), ...(checked?.error?.issues ?? [])];
  if (!parsed.success || issues.length > 0) {
    const lines = issues.map((issue) => {
      const key = issue.path.join('.') || '(root)';
      // A missing secret may be named; a given one is never described.
      const message =
        secrets.includes(key) && cleaned[key] !== undefined ? 'invalid secret value' : issue.message;
      return `${key}: ${message}`;
    });
    throw new ConfigError([...new Set(lines)]);
  }
  return deepFreeze(parsed.data);
}

/** A copy of `config` with each secret key replaced by "[redacted]", for logs and banners. */
export function redactConfig<T extends object>(
  config: T,
  secrets: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[k] = secrets.includes(k) ? '[redacted]' : v;
  return out;
}
