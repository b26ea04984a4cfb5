import { compactJwsProblem } from '@vectorauth/shared';
import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';

export interface OwnAccessTokens {
  /** The payload of a JWT access token this server issued and that has not expired; else undefined. */
  read(token: string): Promise<JWTPayload | undefined>;
  /** The same, with the key that signed it (revocation marks go by `kid` too). */
  verify(token: string): Promise<{ payload: JWTPayload; kid: string | undefined } | undefined>;
}

/** Recognises the server's own RFC 9068 access tokens (for revocation, introspection, token exchange). */
export function createOwnAccessTokens(deps: {
  issuer: string;
  publicJwks: () => JSONWebKeySet;
}): OwnAccessTokens {
  const verify: OwnAccessTokens['verify'] = async (token) => {
    if (compactJwsProblem(token, 8192)) return undefined;
    try {
      const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(deps.publicJwks()), {
        issuer: deps.issuer,
        typ: 'at+jwt',
        requiredClaims: ['jti', 'exp', 'client_id', 'sub'],
      });
      return { payload, kid: protectedHeader.kid };
    } catch {
      return undefined;
    }
  };
  return {
    verify,
    read: async (token) => (await verify(token))?.payload,
  };
}
