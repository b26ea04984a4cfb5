import type { Configuration } from 'oidc-provider';
import type { CimdSettings } from '../../config.ts';
import { clientPolicyProblems } from '../client-policy.ts';
import { isSpecialUseAddress } from './special-use-address.ts';

type CimdFeature = NonNullable<NonNullable<Configuration['features']>['clientIdMetadataDocument']>;

/** The draft of Client ID Metadata Documents oidc-provider 9.13 implements (acknowledged: no warning). */
const IMPLEMENTED_DRAFT = 'draft-02';

/** The metadata our registration policy judges, as a fetched document may state them. */
const POLICY_FIELDS = [
  'client_name',
  'redirect_uris',
  'post_logout_redirect_uris',
  'grant_types',
  'response_types',
  'token_endpoint_auth_method',
  'application_type',
  'scope',
  'client_uri',
  'logo_uri',
  'policy_uri',
  'tos_uri',
  'contacts',
] as const;
/** What no document may set: our trust flag, and keys or URIs the server would use or fetch. */
const REFUSED_FIELDS = ['first_party', 'jwks', 'jwks_uri', 'sector_identifier_uri', 'request_uris'] as const;

/**
 * Whether a client that describes itself may be used: the registration policy of a self-registered
 * client over what it states, and none of what no document may set.
 */
export function documentPolicyAllows(metadata: Record<string, unknown>): boolean {
  if (REFUSED_FIELDS.some((key) => metadata[key] !== undefined && metadata[key] !== false)) return false;
  const judged: Record<string, unknown> = {};
  for (const key of POLICY_FIELDS) if (metadata[key] !== undefined) judged[key] = metadata[key];
  return clientPolicyProblems(judged, { dynamic: true }).length === 0;
}

/** Whether `host` is `domain` or a subdomain of it. */
const within = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

/**
 * Client ID Metadata Documents (oidc-provider's feature): a `client_id` that is an https URL is
 * fetched, hostile until proven otherwise. Before a fetch: the operator's domain lists (blocked
 * first; when any are allowed, only those), and in production no special-use IP literal. The
 * fetch itself (guarded-fetch.ts): no special-use address after DNS in production, 2.5 s, no
 * redirects, 5 KiB; the document's `client_id` must be its URL and it may name no secret
 * (oidc-provider). Every use of the client, also from cache: the same registration policy as a
 * self-registered client (redirect URIs, grants, scopes; never `first_party`, keys or fetchable
 * URIs). Cached per its Cache-Control, between 30 s and `maxCacheSec`.
 */
export function cimdFeature(settings: CimdSettings, options: { production: boolean }): CimdFeature {
  return {
    enabled: settings.enabled,
    ack: IMPLEMENTED_DRAFT,
    allowFetch(_ctx, clientId) {
      const host = new URL(clientId).hostname.toLowerCase();
      if (settings.blockedDomains.some((d) => within(host, d))) return false;
      if (settings.allowedDomains.length > 0 && !settings.allowedDomains.some((d) => within(host, d)))
        return false;
      return !(options.production && isSpecialUseAddress(host));
    },
    allowClient: (_ctx, client) => documentPolicyAllows(client.metadata() as Record<string, unknown>),
    cacheDuration: { min: 30, max: settings.maxCacheSec },
  };
}
