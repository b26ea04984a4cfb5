import { type ClientMetadata, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { registrationPolicy } from './registration-policy.ts';

/** The policy of registrations made without an initial access token (AI agents that only speak DCR). */
export const ANONYMOUS_POLICY = 'vectorauth-anonymous';
/** The mark an anonymously registered client carries: it is deleted once unused for a while. */
export const ANONYMOUS_MARK = 'anonymous_registration';

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
const PRIVATE_USE = /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/;

/**
 * What nobody vouched for may register: a public native client (no secret, PKCE), for the code
 * flow only, whose redirect URIs are loopback http or private-use schemes (RFC 8252): a code sent
 * there can only reach the device that asked for it. Otherwise the same policy as every other
 * registration. The client is marked, for the sweep of unused ones.
 */
export function anonymousRegistrationPolicy(ctx: KoaContextWithOIDC, metadata: ClientMetadata): void {
  metadata.application_type ??= 'native';
  metadata.token_endpoint_auth_method ??= 'none';
  registrationPolicy(ctx, metadata);
  if (metadata.application_type !== 'native')
    throw new errors.InvalidClientMetadata(
      'a client registered without an initial access token must be a native app',
    );
  if (metadata.token_endpoint_auth_method !== 'none')
    throw new errors.InvalidClientMetadata(
      'a client registered without an initial access token is public: token_endpoint_auth_method must be none',
    );
  const grants = metadata.grant_types ?? ['authorization_code'];
  if (grants.some((g) => g !== 'authorization_code' && g !== 'refresh_token'))
    throw new errors.InvalidClientMetadata(
      'a client registered without an initial access token may only use authorization_code and refresh_token',
    );
  // Post-logout redirects too: a client nobody vouched for must not make us an open redirect.
  for (const uri of [...(metadata.redirect_uris ?? []), ...(metadata.post_logout_redirect_uris ?? [])]) {
    const url = new URL(uri);
    if (!(url.protocol === 'http:' && LOOPBACK.has(url.hostname)) && !PRIVATE_USE.test(url.protocol))
      throw new errors.InvalidRedirectUri(
        'redirect_uris: a client registered without an initial access token redirects only to loopback http or a private-use scheme',
      );
  }
  // oidc-provider made a secret before the policy defaulted the method to none: a public client has none.
  delete metadata.client_secret;
  delete metadata.client_secret_expires_at;
  (metadata as Record<string, unknown>)[ANONYMOUS_MARK] = true;
}
