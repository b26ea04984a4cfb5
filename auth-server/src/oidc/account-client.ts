import { createHash, randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Adapter, ClientMetadata } from 'oidc-provider';

export const ACCOUNT_CLIENT_ID = 'account';

/** The pages a person signs in to through the account client. */
export const ACCOUNT_PAGES = ['/account', '/developers', '/account/api-keys'] as const;

/** The built-in first-party client through which people sign in to their account page. */
export function accountClientMetadata(issuer: string): ClientMetadata {
  return {
    client_id: ACCOUNT_CLIENT_ID,
    client_name: 'Your account',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: ACCOUNT_PAGES.map((page) => `${issuer}${page}`),
    first_party: true,
  };
}

/**
 * Creates or refreshes the account client (idempotent; every instance may run it at boot). An
 * unchanged client is not written again: a write announces a client change to every instance,
 * which a booting instance (its Redis connection not up yet) could only fail to send.
 */
export async function ensureAccountClient(
  adapter: new (model: string) => Adapter,
  issuer: string,
): Promise<void> {
  const clients = new adapter('Client');
  const wanted = accountClientMetadata(issuer);
  if (isDeepStrictEqual(await clients.find(ACCOUNT_CLIENT_ID), wanted)) return;
  await clients.upsert(ACCOUNT_CLIENT_ID, wanted, 0);
}

/**
 * An authorization request whose only purpose is to sign the person in (the resulting code is
 * never redeemed and expires); afterwards the provider session identifies them on /account.
 * `again`: sign in even when signed in already (`prompt=login`), before a sensitive change.
 */
export function accountSignInUrl(
  issuer: string,
  page: (typeof ACCOUNT_PAGES)[number] = '/account',
  upstream?: string,
  again = false,
): string {
  const verifier = randomBytes(32).toString('base64url');
  const params = new URLSearchParams({
    client_id: ACCOUNT_CLIENT_ID,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: `${issuer}${page}`,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(16).toString('base64url'),
    // Sign in through this upstream provider straight away (see interaction-routes.ts).
    ...(upstream ? { upstream } : {}),
    ...(again ? { prompt: 'login' } : {}),
  });
  return `${issuer}/auth?${params}`;
}
