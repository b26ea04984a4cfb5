/**
 * Every machine code an `AppError` can carry: the wire `error` field, stable across releases.
 * A new kind of failure gets its code here first.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'unauthorized'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'rate_limited'
  | 'invalid_client_metadata'
  | 'invalid_redirect_uri'
  | 'service_unavailable'
  | 'internal_error'
  | 'stored_data_unreadable'
  | 'data_key_unavailable'
  | 'quota_exceeded';

/**
 * Every error our code raises on purpose. Each has a stable machine `code` (the wire `error`
 * field), an HTTP `status`, and `expose` (whether its message may reach a client). Koa reads
 * `status`, `expose` and `headers`; the error handler turns them into `{error, message}`.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly expose: boolean;
  /** A header given as a list is sent as that many header lines (several `WWW-Authenticate` challenges). */
  readonly headers: Record<string, string | string[]>;

  constructor(
    code: ErrorCode,
    status: number,
    message: string,
    headers: Record<string, string | string[]> = {},
  ) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.expose = status < 500;
    this.headers = headers;
  }
}

export class InvalidRequestError extends AppError {
  constructor(message: string) {
    super('invalid_request', 400, message);
  }
}

export class InvalidJsonError extends AppError {
  constructor(message = 'the request body is not valid JSON') {
    super('invalid_json', 400, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message = 'the request body is too large') {
    super('payload_too_large', 413, message);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message = 'the request body must be application/json') {
    super('unsupported_media_type', 415, message);
  }
}

/** What a refused access token is told in its challenge (RFC 6750 section 3, RFC 9449 section 7.1). */
export interface TokenFault {
  /** Absent when no credentials came at all: the challenge then carries no error code. */
  error?:
    | 'invalid_token'
    | 'insufficient_scope'
    | 'invalid_dpop_proof'
    | 'use_dpop_nonce'
    | 'invalid_request';
  description?: string;
  /** With `insufficient_scope`: the scope that would do (step-up). */
  scope?: string;
}

/** One `WWW-Authenticate` challenge: `Scheme k="v", ...` (quotes and backslashes left out of values). */
export const renderChallenge = (scheme: string, fields: Record<string, string | undefined>): string =>
  `${scheme} ${Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `${k}="${v.replace(/["\\]/g, '')}"`)
    .join(', ')}`;

/**
 * A 401 or 403 that a resource server answers with a challenge. `scheme` is the one the request
 * used (its challenge carries the error). The header set here names the realm only; the bearer
 * middleware, which knows the resource's metadata URL and whether DPoP is offered, rewrites it.
 */
export abstract class TokenChallengeError extends AppError {
  readonly fault: TokenFault;
  readonly scheme: 'Bearer' | 'DPoP';

  constructor(
    code: ErrorCode,
    status: number,
    message: string,
    details: { realm: string; fault: TokenFault; scheme?: 'Bearer' | 'DPoP' },
  ) {
    const scheme = details.scheme ?? 'Bearer';
    const { error, description, scope } = details.fault;
    super(code, status, message, {
      'WWW-Authenticate': renderChallenge(scheme, {
        realm: details.realm,
        error,
        error_description: description,
        scope,
      }),
    });
    this.fault = details.fault;
    this.scheme = scheme;
  }
}

/** RFC 6750 401. Without `reason` (no credentials at all) the challenge carries no error code. */
export class InvalidTokenError extends TokenChallengeError {
  constructor(message: string, realm: string, withCode = true, scheme?: 'Bearer' | 'DPoP') {
    const fault: TokenFault = withCode ? { error: 'invalid_token', description: message } : {};
    super('invalid_token', 401, message, { realm, fault, ...(scheme ? { scheme } : {}) });
  }
}

/** RFC 6750 403 for a valid token that lacks a scope. */
export class InsufficientScopeError extends TokenChallengeError {
  readonly scope: string;
  constructor(scope: string, realm: string, scheme?: 'Bearer' | 'DPoP') {
    const message = `this request needs the "${scope}" scope`;
    super('insufficient_scope', 403, message, {
      realm,
      fault: { error: 'insufficient_scope', description: message, scope },
      ...(scheme ? { scheme } : {}),
    });
    this.scope = scope;
  }
}

/** RFC 9449 section 7.1: a DPoP proof that is missing, malformed, or does not fit the request or token. */
export class InvalidDpopProofError extends TokenChallengeError {
  constructor(message: string, realm: string) {
    super('invalid_dpop_proof', 401, message, {
      realm,
      fault: { error: 'invalid_dpop_proof', description: message },
      scheme: 'DPoP',
    });
  }
}

/** RFC 9449 section 9: the proof must carry the server's current nonce, given in `DPoP-Nonce`. */
export class UseDpopNonceError extends TokenChallengeError {
  constructor(message: string, realm: string, nonce: string) {
    super('use_dpop_nonce', 401, message, {
      realm,
      fault: { error: 'use_dpop_nonce', description: message },
      scheme: 'DPoP',
    });
    this.headers['DPoP-Nonce'] = nonce;
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'missing or wrong credentials') {
    super('unauthorized', 401, message, { 'WWW-Authenticate': 'Bearer realm="admin"' });
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'not found') {
    super('not_found', 404, message);
  }
}

export class MethodNotAllowedError extends AppError {
  constructor(allowed: string) {
    super(
      'method_not_allowed',
      405,
      `this method is not allowed here${allowed ? `; allowed: ${allowed}` : ''}`,
      allowed ? { Allow: allowed } : {},
    );
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', 409, message);
  }
}

export class ServiceUnavailableError extends AppError {
  /** The dependency that could not be asked (`postgres`, `redis`, ...), counted in `/metrics`. */
  readonly dependency: string | undefined;

  constructor(message: string, dependency?: string) {
    super('service_unavailable', 503, message, { 'Retry-After': '1' });
    Object.assign(this, { expose: true });
    this.dependency = dependency;
  }
}

/** Postgres cannot be asked right now (down, unreachable, or stalled past our timeouts). */
export class DatabaseUnavailableError extends ServiceUnavailableError {
  constructor(message = 'the database is unavailable; retry shortly', options?: { cause?: unknown }) {
    super(message, 'postgres');
    if (options?.cause !== undefined) Object.assign(this, { cause: options.cause });
  }
}

export class InternalError extends AppError {
  constructor(message = 'internal error') {
    super('internal_error', 500, message);
  }
}

/**
 * Raised at boot when the environment is invalid; lists every bad key at once, one line each,
 * a sentence that starts with the variable and says how to fix it (`issues`). The message is
 * what an operator reads: a header, then the lines.
 */
export class ConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`invalid configuration; fix these environment variables:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Why a server cannot listen, for an operator: `code` is Node's (`EADDRINUSE`, `EACCES`, ...). */
export class ListenError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ListenError';
    this.code = code;
  }
}

/** RFC 7591 section 3.2.2: client metadata refused (code `invalid_client_metadata` or `invalid_redirect_uri`). */
export class InvalidClientMetadataError extends AppError {
  constructor(code: 'invalid_client_metadata' | 'invalid_redirect_uri', message: string) {
    super(code, 400, message);
  }
}

/** 429 with Retry-After (seconds). */
export class RateLimitedError extends AppError {
  readonly retryAfter: number;
  constructor(retryAfter: number, message = `too many requests; retry in ${retryAfter} s`) {
    super('rate_limited', 429, message, { 'Retry-After': String(retryAfter) });
    this.retryAfter = retryAfter;
  }
}

/** 403: a write would take a principal past one of its quotas; nothing of it was written. */
export class QuotaExceededError extends AppError {
  constructor(message: string) {
    super('quota_exceeded', 403, message);
  }
}

/**
 * Why an outbound HTTP request of ours (JWKS, upstream identity providers) gave up: the answer was
 * larger than we accept, did not complete in time, or the exchange failed on the way (connection
 * refused or reset, name not resolved, TLS refused: what `fetch` reports as a bare TypeError).
 */
export type OutboundFetchErrorCode =
  | 'ERR_OUTBOUND_TOO_LARGE'
  | 'ERR_OUTBOUND_TIMEOUT'
  | 'ERR_OUTBOUND_UNREACHABLE';

/** An outbound HTTP request of ours gave up (see `OutboundFetchErrorCode`). Internal: callers translate it into their own answer. */
export class OutboundFetchError extends Error {
  readonly code: OutboundFetchErrorCode;
  /** Body bytes read before giving up. */
  readonly bytesRead: number;
  constructor(code: OutboundFetchErrorCode, message: string, bytesRead: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OutboundFetchError';
    this.code = code;
    this.bytesRead = bytesRead;
  }
}
