import type { Logger, MikroORM } from '@vectorauth/shared';
import type { ApiKeys } from './api-keys/api-keys.ts';
import { sweepUnusedAnonymousClients } from './clients/anonymous-client-sweep.ts';
import type { ClientRegistry } from './clients/client-registry.ts';
import { sweepExpiredModels } from './oidc/postgres-adapter.ts';
import { sweepExpiredPasskeyChallenges } from './passkeys/passkey-challenges.ts';
import { sweepExpiredRevocations } from './revocation/revocations.ts';

const SWEEP_EVERY_MS = 5 * 60_000;

/**
 * Every few minutes deletes expired oidc-provider models, revocation marks, API keys, passkey
 * challenges, and anonymously registered clients unused for `anonymousClientTtlSec`; `stop` ends it.
 */
export function startExpirySweeper(
  orm: MikroORM,
  logger: Logger,
  anonymous: { clients: ClientRegistry; ttlSec: number },
  apiKeys: Pick<ApiKeys, 'sweepExpired'>,
): { stop(): void; sweepNow(): Promise<void> } {
  const sweepNow = async () => {
    await Promise.all([
      apiKeys.sweepExpired().catch((err) => logger.warn({ err }, 'sweeping expired API keys failed')),
      sweepUnusedAnonymousClients(orm, anonymous.clients, anonymous.ttlSec).catch((err) =>
        logger.warn({ err }, 'sweeping unused anonymous clients failed'),
      ),
      sweepExpiredModels(orm).catch((err) => logger.warn({ err }, 'sweeping expired oidc models failed')),
      sweepExpiredRevocations(orm).catch((err) =>
        logger.warn({ err }, 'sweeping expired revocations failed'),
      ),
      sweepExpiredPasskeyChallenges(orm).catch((err) =>
        logger.warn({ err }, 'sweeping expired passkey challenges failed'),
      ),
    ]);
  };
  const sweeper = setInterval(() => void sweepNow(), SWEEP_EVERY_MS).unref();
  return { stop: () => clearInterval(sweeper), sweepNow };
}
