import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { AccessTokenClaims } from '../../src/auth/access-token-claims.ts';

/** A verified token's claims, fresh ids each time, issued a moment ago, `vectors:read`. */
export const testClaims = (over: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
  sub: `sub-${randomUUID()}`,
  clientId: `client-${randomUUID()}`,
  grantId: `grant-${randomUUID()}`,
  jti: randomUUID(),
  iat: Math.floor(Date.now() / 1000),
  exp: Math.floor(Date.now() / 1000) + 600,
  issuedAtMs: Date.now(),
  scopes: new Set(['vectors:read']),
  ...over,
});

/** A client whose Redis refuses connections at once (port 1 on loopback): `disconnect()` it after. */
export function unreachableRedis(): Redis {
  const down = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  });
  down.on('error', () => undefined);
  return down;
}
