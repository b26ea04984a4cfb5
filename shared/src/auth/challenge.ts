import { renderChallenge, type TokenChallengeError, type TokenFault } from '../errors/errors.ts';

/** What every challenge of a resource server says besides the error. */
export interface ChallengeSettings {
  realm: string;
  /** RFC 9728: where the resource's metadata is (its authorization servers, scopes, DPoP algorithms). */
  resourceMetadata?: string;
  /** When DPoP is accepted: its proof algorithms, offered in a `DPoP` challenge beside `Bearer`. */
  dpopAlgorithms?: readonly string[];
}

/**
 * The `WWW-Authenticate` challenges of a refused request: `Bearer`, and `DPoP` when DPoP is
 * accepted (RFC 9449 section 7.1), each with the realm and `resource_metadata` (RFC 9728 section
 * 5.1). The error (and, for `insufficient_scope`, the scope that would do) goes in the challenge
 * of the scheme the request used; without credentials neither carries one.
 */
export function challengeHeaders(
  settings: ChallengeSettings,
  fault: TokenFault = {},
  scheme: 'Bearer' | 'DPoP' = 'Bearer',
): string[] {
  const common = { realm: settings.realm, resource_metadata: settings.resourceMetadata };
  const errorFields = {
    error: fault.error,
    error_description: fault.description,
    scope: fault.scope,
  };
  const bearer = renderChallenge('Bearer', { ...common, ...(scheme === 'Bearer' ? errorFields : {}) });
  const algorithms = settings.dpopAlgorithms ?? [];
  if (algorithms.length === 0) return [bearer];
  const dpop = renderChallenge('DPoP', {
    ...common,
    ...(scheme === 'DPoP' ? errorFields : {}),
    algs: algorithms.join(' '),
  });
  return [bearer, dpop];
}

/** Gives a refused request's error the full challenges of `settings`, its error in `scheme`'s. */
export function withChallenges(
  err: TokenChallengeError,
  settings: ChallengeSettings,
  scheme: 'Bearer' | 'DPoP' = err.scheme,
): TokenChallengeError {
  err.headers['WWW-Authenticate'] = challengeHeaders(settings, err.fault, scheme);
  return err;
}
