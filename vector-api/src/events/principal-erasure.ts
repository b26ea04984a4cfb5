import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createRedis, type Logger, type Redis, startPrincipalEventConsumer } from '@vectorauth/shared';
import type { VectorApiConfig } from '../config.ts';
import type { SnapshotStore } from '../search/snapshot-store.ts';
import type { VectorIndex } from '../search/vector-index.ts';
import { createCollectionVersions } from '../store/collection-versions.ts';
import type { Encryption } from '../store/encryption.ts';
import { createPrincipalShredder, type PrincipalShredder } from '../store/shred-principal.ts';
import { createShredBroadcast } from './shred-broadcast.ts';

export interface PrincipalErasure {
  shredder: PrincipalShredder;
  close(): Promise<void>;
}

/**
 * Erasing a principal everywhere: the shredder destroys its data key and rows, then every instance
 * forgets what it keeps outside Postgres (unwrapped key, cached index, snapshot files) through the
 * shred broadcast; a principal deleted at the auth server arrives as a principal event and is
 * shredded the same way.
 */
export function startPrincipalErasure(deps: {
  config: VectorApiConfig;
  orm: MikroORM;
  redis: Redis;
  encryption: Encryption;
  index: VectorIndex;
  snapshots: SnapshotStore;
  logger: Logger;
}): PrincipalErasure {
  const { config, logger } = deps;
  const forgetHere = async (principal: string) => {
    deps.encryption.keys?.forget(principal);
    await deps.index.dropPrincipal(principal).catch(() => undefined); // a restarted worker holds nothing
    await deps.snapshots.removePrincipal(principal);
  };
  const broadcast = createShredBroadcast({
    publisher: deps.redis,
    subscriber: createRedis(config.redisUrl, 'vector-api-shred-broadcast', logger),
    forget: forgetHere,
    logger,
  });
  const versions = createCollectionVersions(deps.redis);
  const shredder = createPrincipalShredder({
    orm: deps.orm,
    keys: deps.encryption.keys,
    retireCollections: (ids) => versions.retire(ids),
    forget: async (principal) => {
      await forgetHere(principal);
      await broadcast.announce(principal);
    },
  });
  const consumer = startPrincipalEventConsumer({
    redis: createRedis(config.redisUrl, 'vector-api-principal-events', logger),
    group: config.events.group,
    consumer: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    claimIdleMs: config.events.claimIdleMs,
    logger,
    handle: async (event, entryId) => {
      const result = await shredder.shred({
        principal: event.sub,
        actor: 'auth-server',
        via: 'principal_event',
        requestId: entryId,
      });
      logger.info({ entryId, ...result }, 'principal deleted by the auth server: shredded');
    },
  });
  return {
    shredder,
    async close() {
      await consumer.close();
      await broadcast.close();
    },
  };
}
