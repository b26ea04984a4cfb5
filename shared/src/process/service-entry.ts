import type { Env } from '../config/load-config.ts';
import { migrationSummary } from '../db/migrate-database.ts';
import { ConfigError, ListenError } from '../errors/errors.ts';
import { CONFIG_EXIT_CODE } from '../http/stop-on-signals.ts';
import { createLogger, type Logger } from '../logger/logger.ts';

/**
 * Exit codes of every service command (`main.ts`, `migrate.ts`), the same in both services:
 * 0 done (or stopped by a signal after draining), 78 (sysexits EX_CONFIG) a configuration with a
 * bad key, each one named on stderr, 1 anything else (cannot start, cannot migrate), said in one
 * sentence on stderr and as a fatal log line.
 */
export const EXIT_CODES = { ok: 0, failure: 1, config: CONFIG_EXIT_CODE } as const;

/** Parses the configuration with `load`, or names every bad key on stderr and exits 78. */
export function loadConfigOrExit<C>(service: string, load: (env: Env) => C, env: Env = process.env): C {
  try {
    return load(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`${service}: ${err.message}`);
    return process.exit(EXIT_CODES.config);
  }
}

/**
 * Runs one step of a command (`start`, `migrate`); a failure is logged as fatal and said on stderr
 * as `<service> cannot <step>: <reason>`, then the process exits 1. A failure the sentence says
 * fully (a busy port) is logged without its stack.
 */
export async function runOrExit<T>(
  what: { service: string; step: string; logger: Logger },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const sentence = `${what.service} cannot ${what.step}: ${err instanceof Error ? err.message : String(err)}`;
    what.logger.fatal(err instanceof ListenError ? { code: err.code } : { err }, sentence);
    console.error(sentence);
    return process.exit(EXIT_CODES.failure);
  }
}

/**
 * A service's `migrate.ts` run as a command: its configuration (exit 78), the migrations (exit 1
 * when they cannot run), one log line saying what was applied.
 */
export async function runMigrationCommand<C extends { logLevel: string }>(
  service: string,
  load: (env: Env) => C,
  migrate: (config: C) => Promise<string[]>,
): Promise<void> {
  const config = loadConfigOrExit(service, load);
  const logger = createLogger({ name: service, level: config.logLevel });
  const applied = await runOrExit({ service, step: 'migrate', logger }, () => migrate(config));
  logger.info({ applied }, migrationSummary(applied));
}
