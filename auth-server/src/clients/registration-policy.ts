import { errors, type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';

const ALLOWED_GRANTS = new Set(['authorization_code', 'refresh_token', 'client_credentials']);

/** Applied to every RFC 7591 registration and RFC 7592 update before oidc-provider's own checks. */
export function registrationPolicy(_ctx: KoaContextWithOIDC, metadata: ClientMetadata): void {
  for (const grant of metadata.grant_types ?? ['authorization_code']) {
    if (!ALLOWED_GRANTS.has(grant)) throw new errors.InvalidClientMetadata(`grant type ${grant} is not allowed`);
  }
}
