import type { Logger, MikroORM } from '@vectorauth/shared';
import { sweepExpiredModels } from './oidc/postgres-adapter.ts';
import { sweepExpiredRevocations } from './revocation/revocations.ts';

const SWEEP_EVERY_MS = 5 * 60_000;

/** Deletes expired oidc-provider models and revocation marks every few minutes; `stop` ends it. */
export function startExpirySweeper(orm: MikroORM, logger: Logger): { stop(): void } {
  const sweeper = setInterval(() => {
    sweepExpiredModels(orm).catch((err) => logger.warn({ err }, 'sweeping expired oidc models failed'));
    sweepExpiredRevocations(orm).catch((err) => logger.warn({ err }, 'sweeping expired revocations failed'));
  }, SWEEP_EVERY_MS).unref();
  return { stop: () => clearInterval(sweeper) };
}
