import { VECTOR_SCOPE_NAMES } from '@vectorauth/shared';
import { TOKEN_EXCHANGE } from '../oidc/token-exchange.ts';
import { clientMetadataSchema } from './client-metadata-schema.ts';

export interface PolicyProblem {
  code: 'invalid_redirect_uri' | 'invalid_client_metadata';
  message: string;
}

export interface PolicyOptions {
  /** RFC 7591 self-registration: no self-chosen ids or secrets, no trust flags, no admin scope. */
  dynamic: boolean;
}

const GRANTS = new Set(['authorization_code', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE]);
const AUTH_METHODS = new Set(['client_secret_basic', 'client_secret_post', 'none']);
const UNSUPPORTED = [
  'jwks',
  'jwks_uri',
  'sector_identifier_uri',
  'request_uris',
  'backchannel_logout_uri',
  'initiate_login_uri',
];
const DYNAMIC_FORBIDDEN = [
  'client_id',
  'client_secret',
  'first_party',
  'owner',
  'client_id_issued_at',
  'client_secret_expires_at',
];
/** The metadata we take (the admin API's schema); everything else is refused, never silently dropped. */
const ACCEPTED = new Set(Object.keys(clientMetadataSchema.shape));
/** Metadata RFC 7591 / OpenID Connect define that we do not implement, with why. */
const NOT_IMPLEMENTED: Record<string, string> = {
  software_statement: 'software statements are not accepted',
  software_id: 'software identifiers are not recorded',
  software_version: 'software versions are not recorded',
};
const MAX_NAMED_UNKNOWN = 5;
const INFO_URIS = ['client_uri', 'logo_uri', 'policy_uri', 'tos_uri'];
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
const SCRIPT_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);
export const MAX_REDIRECT_URIS = 20;

/**
 * The registration policy for every way a client is made (admin API, developer console,
 * RFC 7591/7592): allowed grants, exact redirect URIs (https; http only on loopback for native
 * apps; private-use schemes only for native apps; never fragments, wildcards or script schemes),
 * no metadata URI the server would fetch. Returns every problem found.
 */
export function clientPolicyProblems(
  metadata: Record<string, unknown>,
  options: PolicyOptions,
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const bad = (message: string) => problems.push({ code: 'invalid_client_metadata', message });
  const badUri = (message: string) => problems.push({ code: 'invalid_redirect_uri', message });

  problems.push(...unsupportedMetadataProblems(metadata, options));
  // Lists must be flat lists of strings (never String() a hostile nested value: it recurses).
  for (const key of [
    'grant_types',
    'response_types',
    'redirect_uris',
    'post_logout_redirect_uris',
    'contacts',
  ]) {
    const value = metadata[key];
    if (value !== undefined && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      (key.endsWith('redirect_uris') ? badUri : bad)(`${key} must be an array of strings`);
      return problems;
    }
  }

  const grants = asStrings(metadata.grant_types) ?? ['authorization_code'];
  for (const g of grants)
    if (!GRANTS.has(g)) bad(`grant type "${g}" is not allowed (allowed: ${[...GRANTS].join(', ')})`);
  if (grants.includes('refresh_token') && !grants.includes('authorization_code'))
    bad('refresh_token needs authorization_code');
  for (const r of asStrings(metadata.response_types) ?? [])
    if (r !== 'code') bad(`response type "${r}" is not allowed (only "code")`);

  const method = metadata.token_endpoint_auth_method ?? 'client_secret_basic';
  if (typeof method !== 'string' || !AUTH_METHODS.has(method))
    bad(`token_endpoint_auth_method "${String(method)}" is not allowed`);
  if (method === 'none' && grants.includes('client_credentials'))
    bad('client_credentials needs an authenticated (confidential) client');
  if (method === 'none' && grants.includes(TOKEN_EXCHANGE))
    bad('token exchange needs an authenticated (confidential) client');

  const native = metadata.application_type === 'native';
  const redirects = asStrings(metadata.redirect_uris) ?? [];
  if (redirects.length > MAX_REDIRECT_URIS) badUri(`at most ${MAX_REDIRECT_URIS} redirect URIs`);
  if (grants.includes('authorization_code') && redirects.length === 0)
    badUri('redirect_uris is required for authorization_code');
  for (const uri of [
    ...redirects.slice(0, MAX_REDIRECT_URIS),
    ...(asStrings(metadata.post_logout_redirect_uris) ?? []),
  ]) {
    const problem = redirectProblem(uri, native);
    if (problem) badUri(`${truncate(uri)}: ${problem}`);
  }

  for (const key of INFO_URIS) {
    const value = metadata[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !URL.canParse(value) || new URL(value).protocol !== 'https:')
      bad(`${key} must be an https URL`);
  }

  const name = metadata.client_name;
  if (name !== undefined && (typeof name !== 'string' || name.length > 200))
    bad('client_name must be at most 200 characters');

  const allowed = new Set(['openid', 'offline_access', 'email', ...VECTOR_SCOPE_NAMES]);
  if (options.dynamic) allowed.delete('admin');
  if (metadata.scope !== undefined) {
    if (typeof metadata.scope !== 'string') bad('scope must be a string');
    else
      for (const s of metadata.scope.split(' '))
        if (!allowed.has(s)) bad(`scope "${truncate(s)}" is not available`);
  }
  return problems;
}

/**
 * Metadata we do not take: fields the server chooses (never the caller; `first_party` only through
 * the admin API), metadata URIs the server would fetch, and every field we do not implement
 * (`software_statement`, OpenID Connect extras, made-up names). Refused, never silently dropped.
 */
export function unsupportedMetadataProblems(
  metadata: Record<string, unknown>,
  options: PolicyOptions,
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const bad = (message: string) => problems.push({ code: 'invalid_client_metadata', message });
  for (const key of DYNAMIC_FORBIDDEN)
    if (Object.hasOwn(metadata, key) && (options.dynamic || key !== 'first_party'))
      bad(`${key} cannot be chosen by the client`);
  for (const key of UNSUPPORTED) if (Object.hasOwn(metadata, key)) bad(`${key} is not supported`);
  const unknown = Object.keys(metadata).filter(
    (key) => !ACCEPTED.has(key) && !UNSUPPORTED.includes(key) && !DYNAMIC_FORBIDDEN.includes(key),
  );
  for (const key of unknown.slice(0, MAX_NAMED_UNKNOWN)) {
    const why = Object.hasOwn(NOT_IMPLEMENTED, key) ? ` (${NOT_IMPLEMENTED[key]})` : '';
    bad(`${truncate(key)} is not supported${why}`);
  }
  if (unknown.length > MAX_NAMED_UNKNOWN)
    bad(`and ${unknown.length - MAX_NAMED_UNKNOWN} more unsupported fields`);
  return problems;
}

function redirectProblem(uri: string, native: boolean): string | undefined {
  if (uri.length > 2000 || !URL.canParse(uri)) return 'not an absolute URI';
  if (uri.includes('*')) return 'wildcards are not allowed';
  const url = new URL(uri);
  if (uri.includes('#')) return 'fragments are not allowed';
  if (SCRIPT_SCHEMES.has(url.protocol)) return `the ${url.protocol} scheme is not allowed`;
  if (url.username || url.password) return 'credentials in URIs are not allowed';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return native && LOOPBACK.has(url.hostname)
      ? undefined
      : 'must use https (http only on loopback for native apps)';
  }
  // Private-use schemes (reverse domain name, RFC 8252 7.1) for native apps only.
  return native && /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(url.protocol)
    ? undefined
    : `the ${url.protocol} scheme is not allowed`;
}

const asStrings = (v: unknown): string[] | undefined => (Array.isArray(v) ? (v as string[]) : undefined);
const truncate = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s);
