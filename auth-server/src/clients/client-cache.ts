import { deepFreeze } from '@vectorauth/shared';
import type { AdapterPayload } from 'oidc-provider';

export interface ClientCacheSettings {
  /** How long an entry is served without a change notice (CLIENT_CACHE_TTL_SEC); 0: no cache. */
  ttlSec: number;
  /** Most clients held; the least recently used goes first (CLIENT_CACHE_MAX_ENTRIES). */
  maxEntries: number;
}

/**
 * Client payloads (secret unsealed) in this process's memory, in front of Postgres. Kept only
 * while `listening` (change notices can reach this instance); `forget` on every change. A read
 * that a change overtook is served but not kept: it may be older than the change.
 */
export interface ClientCache {
  /** The client from memory, or from `read` (kept when nothing changed while it ran). */
  find(
    clientId: string,
    read: () => Promise<AdapterPayload | undefined>,
  ): Promise<AdapterPayload | undefined>;
  /**
   * The client held in memory now, without reading: the same object on every call until the
   * client changes, expires or is evicted (then a new object, or `undefined`).
   */
  peek(clientId: string): AdapterPayload | undefined;
  forget(clientId: string): void;
  /** Whether change notices can be heard; either way, what is held is dropped. */
  setListening(listening: boolean): void;
  readonly size: number;
}

interface Entry {
  /** A frozen copy of the payload: every hit hands out this same object. */
  payload: AdapterPayload;
  expiresAt: number;
}

export function createClientCache(settings: ClientCacheSettings, now: () => number = Date.now): ClientCache {
  const ttlMs = settings.ttlSec * 1000;
  // Insertion order is use order: a hit moves its entry to the end, the first one is evicted.
  const entries = new Map<string, Entry>();
  let listening = false;
  // Bumped by every change: a read started before one is not kept.
  let generation = 0;

  function keep(clientId: string, payload: AdapterPayload): void {
    entries.delete(clientId);
    entries.set(clientId, { payload: deepFreeze(structuredClone(payload)), expiresAt: now() + ttlMs });
    if (entries.size > settings.maxEntries) entries.delete(entries.keys().next().value as string);
  }

  // Frozen, not copied: a reader that tried to change it would throw, never reach the next request
  // (oidc-provider builds its Client from it once per content).
  function peek(clientId: string): AdapterPayload | undefined {
    const entry = entries.get(clientId);
    if (!entry) return undefined;
    entries.delete(clientId);
    if (entry.expiresAt <= now()) return undefined;
    entries.set(clientId, entry);
    return entry.payload;
  }

  return {
    peek,
    async find(clientId, read) {
      const held = peek(clientId);
      if (held) return held;
      const started = generation;
      const payload = await read();
      if (payload && listening && ttlMs > 0 && started === generation) keep(clientId, payload);
      return payload;
    },
    forget(clientId) {
      generation++;
      entries.delete(clientId);
    },
    setListening(on) {
      generation++;
      listening = on;
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
