import {
  createRemoteJWKSet,
  customFetch,
  errors,
  type JWTHeaderParameters,
  type JWTPayload,
  jwtVerify,
} from 'jose';
import { InvalidTokenError, OutboundFetchError, ServiceUnavailableError } from '../errors/errors.ts';
import { createCappedFetch } from '../http/capped-fetch.ts';
import type { AccessTokenClaims } from './access-token-claims.ts';
import { compactJwsProblem } from './compact-jws-problem.ts';
import { createVerifiedTokenCache } from './verified-token-cache.ts';

export interface AccessTokenVerifierOptions {
  issuer: string;
  /** The resource server's own URL (RFC 8707 resource indicator); tokens must name it in `aud`. */
  audience: string;
  jwksUri: string;
  algorithms?: string[];
  clockToleranceSec?: number;
  /** Realm used in WWW-Authenticate challenges. */
  realm?: string;
  /**
   * How long a fetched JWKS is trusted before it is fetched again (default 10 minutes). Keys that
   * left the issuer's JWKS are dropped at that refetch; a revoked `kid` is refused at once through
   * the revocation list, whatever this cache holds.
   */
  jwksCacheMaxAgeMs?: number;
  /** Least time between two fetches of the JWKS (default 5 s): an unknown `kid` refetches after it. */
  jwksCooldownMs?: number;
  /** Largest JWKS answer accepted, in bytes (default 256 KiB); a larger one is a 503, never a memory spike. */
  jwksMaxBytes?: number;
  /** Longest wait for the JWKS answer, body included (default 3 s). */
  jwksTimeoutMs?: number;
  /** Called with the body bytes of every JWKS fetch (tests, metrics). */
  onJwksFetched?: (bytes: number) => void;
  /**
   * How many verified tokens are remembered until they expire (default 10 000; 0 turns it off).
   * A remembered token skips the signature check, never the revocation check (the caller's).
   */
  verifiedCacheSize?: number;
  /** The clock (ms since the epoch) for `exp`, `nbf`, `iat` and the verified-token cache; tests pass a fake one. */
  now?: () => number;
}

export interface AccessTokenVerifier {
  verify(token: string): Promise<AccessTokenClaims>;
  /**
   * The issuer announced (a key-set notice through Redis) that it publishes these keys. A token
   * naming one of them that the cached JWKS lacks refetches the JWKS at once, past the cooldown
   * (a few times at most per announcement); an unannounced `kid` still waits for the cooldown.
   */
  expectKeys(kids: readonly string[]): void;
}

const MAX_TOKEN_LENGTH = 8192;
/** How long an announced kid lets a token skip the JWKS cooldown, and how many refetches it may cause. */
const EXPECT_KEY_MS = 60_000;
const EXPECT_KEY_FETCHES = 5;
const MAX_EXPECTED_KEYS = 64;

/**
 * Verifies RFC 9068 JWT access tokens against the issuer's JWKS. Keys come only from the
 * configured JWKS URI (refetched when an unknown `kid` appears, so a key the issuer published as
 * `next` before it started signing verifies on first sight); `jku`, `jwk`, `x5u` and `x5c` headers
 * are never used. Checks `kid` presence, alg allow-list, `typ: at+jwt`, `iss`, `aud`, `exp`, `nbf`.
 * The `kid` is part of the claims so the revocation list can refuse every token of a revoked key.
 * Also refused: a header or payload with a member twice (ambiguous), an `iat` in the future
 * beyond the clock tolerance. The JWKS fetch is size- and time-capped.
 */
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const realm = options.realm ?? 'vector-api';
  const algorithms = options.algorithms ?? ['ES256', 'RS256', 'PS256', 'EdDSA'];
  const clockToleranceSec = options.clockToleranceSec ?? 5;
  const timeoutMs = options.jwksTimeoutMs ?? 3_000;
  const now = options.now ?? Date.now;
  const cappedFetch = createCappedFetch({
    maxBytes: options.jwksMaxBytes ?? 256 * 1024,
    timeoutMs,
    onBytesRead: options.onJwksFetched,
  });
  /**
   * Bumped as every JWKS fetch ends, before jose installs what it fetched: a remembered token is
   * only honoured under the key set it verified with, so a key that left the JWKS (rotation,
   * removal) stops passing from the cache exactly when it stops passing verification.
   */
  let keySetGeneration = 0;
  const jwks = createRemoteJWKSet(new URL(options.jwksUri), {
    cooldownDuration: options.jwksCooldownMs ?? 5_000,
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
    timeoutDuration: timeoutMs,
    [customFetch]: async (...args: Parameters<typeof fetch>) => {
      try {
        return await cappedFetch(...args);
      } finally {
        keySetGeneration++;
      }
    },
  });
  const verified = createVerifiedTokenCache({
    capacity: options.verifiedCacheSize ?? 10_000,
    clockToleranceSec,
    now,
  });
  /** Announced kids: until when they may skip the cooldown, and how many refetches they have left. */
  const expected = new Map<string, { untilMs: number; fetchesLeft: number }>();
  const keyFor = async (header: JWTHeaderParameters, token: Parameters<typeof jwks>[1]) => {
    try {
      const key = await jwks(header, token);
      if (header.kid) expected.delete(header.kid);
      return key;
    } catch (err) {
      const hope = header.kid === undefined ? undefined : expected.get(header.kid);
      if (
        !(err instanceof errors.JWKSNoMatchingKey) ||
        !hope ||
        hope.untilMs < Date.now() ||
        hope.fetchesLeft < 1
      )
        throw err;
      hope.fetchesLeft--;
      await jwks.reload();
      return jwks(header, token);
    }
  };
  const invalid = (message: string) => new InvalidTokenError(message, realm);

  return {
    async verify(token) {
      // A stale key set (past its max age) is refetched by verification: no hit until then.
      const remembered = jwks.fresh ? verified.get(token, keySetGeneration) : undefined;
      if (remembered) return remembered;
      const generation = keySetGeneration;
      const problem = compactJwsProblem(token, MAX_TOKEN_LENGTH);
      if (problem === 'ambiguous') throw invalid('the access token is ambiguous (a member appears twice)');
      if (problem) throw invalid(`the access token is ${problem}`);
      let payload: JWTPayload;
      let kid: string | undefined;
      try {
        ({
          payload,
          protectedHeader: { kid },
        } = await jwtVerify(token, keyFor, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms,
          typ: 'at+jwt',
          clockTolerance: clockToleranceSec,
          currentDate: new Date(now()),
          requiredClaims: ['sub', 'exp', 'iat', 'jti', 'client_id'],
        }));
      } catch (err) {
        throw translate(err, invalid);
      }
      // Without a kid, a revoked key still in the JWKS cache could not be told apart: refused.
      if (typeof kid !== 'string' || kid === '') throw invalid('the access token names no signing key (kid)');
      // jose checks iat only against a maximum age: a token "issued" in the future is refused here.
      if (typeof payload.iat === 'number' && payload.iat > now() / 1000 + clockToleranceSec)
        throw invalid('the access token is not valid yet');
      const claims = Object.freeze(accessTokenClaimsFrom(payload, realm, kid));
      // Tagged with the key set as it was before verifying: a fetch meanwhile makes it a miss.
      verified.set(token, claims, generation);
      return claims;
    },

    expectKeys(kids) {
      // The issuer now publishes exactly these keys: a remembered token of any other is verified again.
      verified.keepKeys(new Set(kids));
      const at = Date.now();
      for (const [kid, hope] of expected) if (hope.untilMs < at) expected.delete(kid);
      for (const kid of kids) {
        if (expected.size >= MAX_EXPECTED_KEYS) break;
        if (!expected.has(kid))
          expected.set(kid, { untilMs: at + EXPECT_KEY_MS, fetchesLeft: EXPECT_KEY_FETCHES });
      }
    },
  };
}

function translate(err: unknown, invalid: (m: string) => InvalidTokenError): Error {
  if (err instanceof errors.JWTExpired) return invalid('the access token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' || err.claim === 'iat') return invalid('the access token is not valid yet');
    return invalid(`the access token's "${err.claim}" is not acceptable here`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed)
    return invalid('the access token is signed with a refused algorithm');
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return invalid('the access token signature does not verify');
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return invalid('the access token is signed by an unknown key');
  }
  if (
    err instanceof errors.JWKSTimeout ||
    err instanceof errors.JWKSInvalid ||
    err instanceof OutboundFetchError
  ) {
    return new ServiceUnavailableError('the authorization server cannot be reached to verify tokens', 'jwks');
  }
  if (err instanceof errors.JOSEError) return invalid('the access token is malformed');
  return invalid('the access token is malformed');
}

/** The claims a resource server uses, from a verified RFC 9068 payload; 401 when one is missing. */
export function accessTokenClaimsFrom(
  payload: JWTPayload,
  realm = 'vector-api',
  kid?: string,
): AccessTokenClaims {
  const invalid = (message: string) => new InvalidTokenError(message, realm);
  const { sub, jti, iat, exp } = payload;
  const clientId = payload.client_id;
  const scope = payload.scope ?? '';
  if (typeof sub !== 'string' || typeof clientId !== 'string' || typeof scope !== 'string') {
    throw invalid('the access token is missing required claims');
  }
  if (typeof jti !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') {
    throw invalid('the access token is missing required claims');
  }
  const grantId = typeof payload.grant_id === 'string' ? payload.grant_id : undefined;
  const issuedAtMs =
    typeof payload.iat_ms === 'number' && Number.isFinite(payload.iat_ms) ? payload.iat_ms : undefined;
  const jkt = dpopThumbprintOf(payload.cnf, invalid);
  return {
    sub,
    clientId,
    jti,
    iat,
    exp,
    scopes: new Set(scope.split(' ').filter(Boolean)),
    grantId,
    issuedAtMs,
    ...(kid ? { kid } : {}),
    ...(jkt ? { jkt } : {}),
  };
}

/**
 * The key a token is bound to (RFC 9449 section 6.1: `cnf.jkt`). A token bound some other way
 * (mTLS `x5t#S256`, anything unknown) could only be honoured by checking that binding, which
 * this resource server cannot: refused rather than accepted as a bearer token.
 */
function dpopThumbprintOf(cnf: unknown, invalid: (m: string) => InvalidTokenError): string | undefined {
  if (cnf === undefined) return undefined;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf))
    throw invalid('the access token has a malformed confirmation (cnf)');
  const members = Object.keys(cnf);
  const jkt = (cnf as { jkt?: unknown }).jkt;
  if (members.length !== 1 || typeof jkt !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(jkt))
    throw invalid('the access token is bound to a key in a way this server does not accept');
  return jkt;
}
