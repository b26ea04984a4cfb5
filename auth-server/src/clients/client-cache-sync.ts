import type { Logger, Redis } from '@vectorauth/shared';
import type { AdapterPayload } from 'oidc-provider';
import { type ClientCacheSettings, createClientCache } from './client-cache.ts';
import { publishClientChanged, subscribeClientChanges } from './client-change-notices.ts';

/** The client cache of this instance, kept in step with every other instance's changes. */
export interface ClientCacheSync {
  /** The client from memory, or from `read` (Postgres). */
  find(
    clientId: string,
    read: () => Promise<AdapterPayload | undefined>,
  ): Promise<AdapterPayload | undefined>;
  /** The client held in memory now, without reading (see ClientCache.peek). */
  peek(clientId: string): AdapterPayload | undefined;
  /** After a change committed here: forget the client here, then tell every other instance. */
  changed(clientId: string): Promise<void>;
  close(): void;
}

/**
 * Client rows from memory, invalidated at every instance on every change: each write through the
 * adapter calls `changed`, a Redis notice reaches the other instances before the writer answers.
 * The cache is used only while this instance's subscription is confirmed, and emptied whenever it
 * is lost or regained, so a notice sent while this instance could not hear it leaves nothing stale.
 * A notice that could not be sent (Redis unreachable from the writer only) is the one case left:
 * the other instances then serve the old client for at most `ttlSec`.
 */
export function startClientCacheSync(deps: {
  settings: ClientCacheSettings;
  redis: Redis;
  /** A dedicated connection for SUBSCRIBE; disconnected by `close()`. */
  subscriber: Redis;
  logger: Logger;
}): ClientCacheSync {
  const { redis, subscriber, logger } = deps;
  const cache = createClientCache(deps.settings);
  subscribeClientChanges(subscriber, {
    listening: (on) => cache.setListening(on),
    changed: (clientId) => cache.forget(clientId),
  });
  return {
    find: (clientId, read) => cache.find(clientId, read),
    peek: (clientId) => cache.peek(clientId),
    async changed(clientId) {
      cache.forget(clientId);
      await publishClientChanged(redis, clientId).catch((err) =>
        logger.warn(
          { err, clientId, ttlSec: deps.settings.ttlSec },
          'client change not announced; other instances catch up within the client cache TTL',
        ),
      );
    },
    close: () => subscriber.disconnect(),
  };
}
