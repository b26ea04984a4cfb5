import type { z } from 'zod';
import { ConfigError } from '../errors/errors.ts';
import { plainIssueMessage, problemLine } from './config-problems.ts';
import { deepFreeze } from './deep-freeze.ts';

export type Env = Record<string, string | undefined>;

/**
 * Parses `env` with `schema` once. Every bad key is reported together, one line each (its first
 * problem), including those of `checks` (a second schema whose output is not kept, e.g.
 * production requirements, so its issues are listed even when `schema` fails too); values of
 * keys listed in `secrets` never appear in a message. The result is deeply frozen.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Env,
  secrets: readonly string[] = [],
  checks?: z.ZodType,
): z.output<S> {
  const cleaned: Env = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const parsed = schema.safeParse(cleaned, { error: plainIssueMessage });
  const checked = checks?.safeParse(cleaned, { error: plainIssueMessage });
  const issues = [...(parsed.error?.issues ?? []), ...(checked?.error?.issues ?? [])];
  if (!parsed.success || issues.length > 0) {
    const lines = new Map<string, string>();
    for (const issue of issues) {
      const key = issue.path.join('.') || '(root)';
      if (!lines.has(key)) {
        lines.set(key, problemLine(key, issue.message, cleaned[key], secrets.includes(key)));
      }
    }
    throw new ConfigError([...lines.values()]);
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
