import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';

export interface OwnAccessTokens {
  /** The payload of a JWT access token this server issued and that has not expired; else undefined. */
  read(token: string): Promise<JWTPayload | undefined>;
}

const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Recognises the server's own RFC 9068 access tokens (for revocation and introspection). */
export function createOwnAccessTokens(deps: {
  issuer: string;
  publicJwks: () => JSONWebKeySet;
}): OwnAccessTokens {
  return {
    async read(token) {
      if (token.length > 8192 || !JWS_COMPACT.test(token)) return undefined;
      try {
        const { payload } = await jwtVerify(token, createLocalJWKSet(deps.publicJwks()), {
          issuer: deps.issuer,
          typ: 'at+jwt',
          requiredClaims: ['jti', 'exp', 'client_id', 'sub'],
        });
        return payload;
      } catch {
        return undefined;
      }
    },
  };
}
