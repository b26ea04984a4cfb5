import { InvalidTokenError, ServiceUnavailableError } from '../errors/errors.ts';
import type { AccessTokenClaims } from './access-token-claims.ts';
import { apiKeyHash, isApiKeyShaped } from './api-key-format.ts';
import type { ApiKeyRecord, ApiKeyRecords } from './api-key-records.ts';

export interface ApiKeyVerifier {
  /** The key's principal, scopes and id as claims (`apiKeyId` set); 401 for anything else. */
  verify(key: string): Promise<AccessTokenClaims>;
  readonly size: number;
}

export interface ApiKeyVerifierOptions {
  records: ApiKeyRecords;
  realm?: string;
  /** Keys remembered (least recently used dropped first); default 10 000. */
  capacity?: number;
  /** A remembered key is looked up again after this long (default 5 minutes): a safety net only. */
  refreshMs?: number;
  /** An unknown key is answered from memory this long (default 10 s), so a flood costs no lookups. */
  unknownMs?: number;
  /** Each key's use is told to `records` at most this often per instance (default 60 s). */
  usedEveryMs?: number;
  now?: () => number;
}

interface Known {
  claims: AccessTokenClaims;
  fetchedAt: number;
  markedAt: number;
}

/**
 * Verifies personal API keys without a database: the shape and checksum first (a lookalike costs
 * nothing), then the SHA-256 of the key in a bounded cache, else its record in Redis (one GET,
 * concurrent lookups of one key share it). A remembered key still goes through the caller's
 * revocation check on every request (`rv:jti:<key id>`), so a revoked key fails on its next
 * request at every instance; its expiry is checked here on every request.
 */
export function createApiKeyVerifier(options: ApiKeyVerifierOptions): ApiKeyVerifier {
  const realm = options.realm ?? 'vector-api';
  const capacity = options.capacity ?? 10_000;
  const refreshMs = options.refreshMs ?? 300_000;
  const unknownMs = options.unknownMs ?? 10_000;
  const usedEveryMs = options.usedEveryMs ?? 60_000;
  const now = options.now ?? Date.now;
  const known = new Map<string, Known>();
  const unknown = new Map<string, number>();
  const lookups = new Map<string, Promise<ApiKeyRecord | undefined>>();
  const refused = (why: string) => new InvalidTokenError(why, realm);

  const remember = <V>(map: Map<string, V>, key: string, value: V) => {
    map.delete(key);
    map.set(key, value);
    while (map.size > capacity) map.delete(map.keys().next().value as string);
  };

  function lookup(hash: string): Promise<ApiKeyRecord | undefined> {
    let pending = lookups.get(hash);
    if (!pending) {
      pending = options.records.find(hash).finally(() => lookups.delete(hash));
      lookups.set(hash, pending);
    }
    return pending;
  }

  function markUsed(entry: Known, at: number): void {
    if (at - entry.markedAt < usedEveryMs) return;
    entry.markedAt = at;
    options.records.markUsed(entry.claims.jti, at).catch(() => {
      entry.markedAt = 0; // told next time
    });
  }

  return {
    async verify(key) {
      if (!isApiKeyShaped(key)) throw refused('the API key is malformed (its checksum does not match)');
      const hash = apiKeyHash(key);
      const at = now();
      let entry = known.get(hash);
      if (entry && at - entry.fetchedAt >= refreshMs) entry = undefined;
      if (!entry) {
        if ((unknown.get(hash) ?? 0) > at) throw refused('the API key is unknown, revoked or expired');
        let record: ApiKeyRecord | undefined;
        try {
          record = await lookup(hash);
        } catch {
          throw new ServiceUnavailableError('API keys cannot be checked; try again shortly', 'redis');
        }
        if (!record) {
          known.delete(hash);
          remember(unknown, hash, at + unknownMs);
          throw refused('the API key is unknown, revoked or expired');
        }
        entry = { claims: claimsOf(record), fetchedAt: at, markedAt: known.get(hash)?.markedAt ?? 0 };
      }
      remember(known, hash, entry);
      if (entry.claims.exp * 1000 <= at) {
        known.delete(hash);
        throw refused('the API key has expired');
      }
      markUsed(entry, at);
      return entry.claims;
    },
    get size() {
      return known.size;
    },
  };
}

function claimsOf(record: ApiKeyRecord): AccessTokenClaims {
  return {
    sub: record.sub,
    // A client's key counts against that client's quota; a person's own key names itself.
    clientId: record.clientId ?? `api-key:${record.id}`,
    scopes: new Set(record.scope.split(' ').filter(Boolean)),
    jti: record.id,
    iat: record.iat,
    exp: record.exp,
    issuedAtMs: record.iat * 1000,
    apiKeyId: record.id,
  };
}
