import { randomBytes } from 'node:crypto';
import type { AdapterPayload } from 'oidc-provider';
import type { RequestedClientMetadata } from './client-metadata.ts';

/** A 128-bit client id, the same for clients the admin API and RFC 7591 registration create. */
export const newClientId = () => randomBytes(16).toString('base64url');

/** A 256-bit client secret. */
export const newClientSecret = () => randomBytes(32).toString('base64url');

/**
 * The payload of a new client: its metadata with defaults, a generated id and, for a
 * confidential client, a secret that never expires.
 */
export function newClientPayload(metadata: RequestedClientMetadata): AdapterPayload {
  const grantTypes = metadata.grant_types ?? ['authorization_code'];
  const confidential = metadata.token_endpoint_auth_method !== 'none';
  return {
    ...metadata,
    grant_types: grantTypes,
    response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
    redirect_uris: metadata.redirect_uris ?? [],
    client_id: newClientId(),
    client_id_issued_at: Math.floor(Date.now() / 1000),
    ...(confidential ? { client_secret: newClientSecret(), client_secret_expires_at: 0 } : {}),
  };
}
