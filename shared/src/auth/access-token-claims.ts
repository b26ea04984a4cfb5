/** What a resource server knows about the caller once its access token verified. */
export interface AccessTokenClaims {
  /** The principal: the end user, or the client itself for client-credentials tokens. */
  sub: string;
  clientId: string;
  scopes: ReadonlySet<string>;
  jti: string;
  iat: number;
  exp: number;
  /** The grant the token belongs to, when it came from a user's grant. */
  grantId?: string;
  /** Issue time in milliseconds (`iat_ms`), when the issuer provides it; revocation marks compare to it. */
  issuedAtMs?: number;
  /** The signing key (`kid` of the JWS header): a revoked key's tokens are refused by it. */
  kid?: string;
  /** RFC 9449: the thumbprint of the key the token is bound to (`cnf.jkt`); it is then usable only with DPoP proofs. */
  jkt?: string;
  /**
   * Set when the caller presented a personal API key instead of a token (`jti` is then the key's
   * id): only the key's own revocation applies to it, never the marks that end sessions and grants.
   */
  apiKeyId?: string;
}
