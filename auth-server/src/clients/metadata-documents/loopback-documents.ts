import { createCappedFetch } from '@vectorauth/shared';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { documentPolicyAllows } from './cimd-feature.ts';

/** A metadata-document client id on this machine over plain http: development only. */
const LOOPBACK_HTTP = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?\/[^#\s]*$/;
const SECRET_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);
const MAX_ENTRIES = 100;

/**
 * Client ID Metadata Documents at `http://localhost…` (and 127.0.0.1, [::1]) for development,
 * where an agent under construction has no certificate; oidc-provider takes only https ids, so
 * these are found as the adapter's clients. Held to the same rules as https documents: no
 * redirects, 2.5 s, 5 KiB, a JSON object whose `client_id` is its URL, no secret, a public client,
 * the registration policy; cached per Cache-Control between 30 s and `maxCacheSec`. Anything else
 * is not found (an unknown client).
 */
export function createLoopbackDocuments(options: { maxCacheSec: number; now?: () => number }) {
  const now = options.now ?? Date.now;
  // Loopback only (the id's pattern), so no address guard: the caps of oidc-provider's own fetch.
  const fetchDocument = createCappedFetch({ maxBytes: 5 * 1024, timeoutMs: 2500 });
  const cache = new Map<string, { payload: AdapterPayload; untilMs: number }>();
  return async function find(id: string): Promise<AdapterPayload | undefined> {
    if (id.length > 2000 || !LOOPBACK_HTTP.test(id)) return undefined;
    const hit = cache.get(id);
    if (hit && hit.untilMs > now()) return hit.payload;
    cache.delete(id);
    let document: unknown;
    let cacheControl = '';
    try {
      const res = await fetchDocument(id, { redirect: 'manual', headers: { accept: 'application/json' } });
      if (res.status !== 200) return undefined;
      cacheControl = res.headers.get('cache-control') ?? '';
      document = JSON.parse(await res.text());
    } catch {
      return undefined; // unreachable, too slow, too large, not JSON: an unknown client
    }
    if (typeof document !== 'object' || document === null || Array.isArray(document)) return undefined;
    const metadata = { ...(document as Record<string, unknown>) };
    if (metadata.client_id !== id || 'client_secret' in metadata || 'client_secret_expires_at' in metadata)
      return undefined;
    metadata.token_endpoint_auth_method ??= 'none';
    if (SECRET_METHODS.has(String(metadata.token_endpoint_auth_method)) || !documentPolicyAllows(metadata))
      return undefined;
    const maxAge = Number(/max-age\s*=\s*(\d+)/i.exec(cacheControl)?.[1] ?? 0);
    const untilMs = now() + Math.min(options.maxCacheSec, Math.max(30, maxAge)) * 1000;
    cache.set(id, { payload: metadata as AdapterPayload, untilMs });
    if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    return metadata as AdapterPayload;
  };
}

/** The adapter class with `find` of the Client model falling back to loopback documents. */
export function withLoopbackDocuments(
  base: new (model: string) => Adapter,
  find: (id: string) => Promise<AdapterPayload | undefined>,
): new (
  model: string,
) => Adapter {
  return class extends base {
    readonly #model: string;
    constructor(model: string) {
      super(model);
      this.#model = model;
    }
    override async find(id: string): Promise<AdapterPayload | undefined> {
      const found = await super.find(id);
      return found ?? (this.#model === 'Client' ? find(id) : undefined);
    }
  };
}
