import type { Logger } from '../logger/logger.ts';

/** Exit code of a service whose configuration is invalid (sysexits EX_CONFIG), the same for every service. */
export const CONFIG_EXIT_CODE = 78;

/**
 * SIGTERM and SIGINT, once or many times (a supervisor and a process group may both send one):
 * `close()` drains and releases everything, then the process exits 0; a close that fails, or
 * does not finish within `timeoutMs`, exits 1. A second signal never cuts the drain short.
 */
export function stopOnSignals(deps: {
  name: string;
  logger: Logger;
  close: () => Promise<void>;
  timeoutMs?: number;
}): void {
  const { name, logger } = deps;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${name} stopping`);
    setTimeout(() => {
      logger.error(`${name} did not stop within ${(deps.timeoutMs ?? 15_000) / 1000} s; exiting`);
      process.exit(1);
    }, deps.timeoutMs ?? 15_000).unref();
    deps.close().then(
      () => {
        logger.info(`${name} stopped`);
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, `${name} shutdown failed`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, stop);
}
