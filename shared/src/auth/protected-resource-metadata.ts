import type { Context } from 'koa';

/** RFC 9728 section 2: what a protected resource says about itself. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: string[];
  dpop_signing_alg_values_supported?: string[];
  dpop_bound_access_tokens_required?: boolean;
  resource_name?: string;
  resource_documentation?: string;
}

export interface ProtectedResourceOptions {
  /** The resource identifier: the URL tokens name in `aud` (RFC 8707). */
  resource: string;
  authorizationServers: readonly string[];
  scopes: readonly string[];
  /** When DPoP is accepted. */
  dpopAlgorithms?: readonly string[];
  name?: string;
  documentation?: string;
}

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * RFC 9728 section 3.1: the metadata URL of `resource` is the well-known path inserted between its
 * host and its path (`https://h/api` -> `https://h/.well-known/oauth-protected-resource/api`).
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}${WELL_KNOWN}${path}`;
}

/**
 * The metadata of one resource and its Koa handler. Served at the RFC 9728 path of `resource`
 * and, for each of `suffixes` (paths of the resource where clients start, such as `/mcp`), at the
 * well-known path with that suffix, where `resource` is that URL (a client checks that the
 * document names the URL it started from, section 3.3). Public, cacheable, readable from any origin.
 */
export function createProtectedResourceMetadata(
  options: ProtectedResourceOptions,
  suffixes: readonly string[] = [],
) {
  const base = new URL(options.resource);
  const documentFor = (resource: string): ProtectedResourceMetadata => ({
    resource,
    authorization_servers: [...options.authorizationServers],
    scopes_supported: [...options.scopes],
    bearer_methods_supported: ['header'],
    ...(options.dpopAlgorithms?.length
      ? {
          dpop_signing_alg_values_supported: [...options.dpopAlgorithms],
          dpop_bound_access_tokens_required: false,
        }
      : {}),
    ...(options.name ? { resource_name: options.name } : {}),
    ...(options.documentation ? { resource_documentation: options.documentation } : {}),
  });
  const byPath = new Map<string, ProtectedResourceMetadata>();
  const add = (resource: string) =>
    byPath.set(new URL(protectedResourceMetadataUrl(resource)).pathname, documentFor(resource));
  add(options.resource);
  for (const suffix of suffixes) add(`${base.origin}${base.pathname.replace(/\/$/, '')}${suffix}`);

  return {
    url: protectedResourceMetadataUrl(options.resource),
    /** The paths it answers (for a router). */
    paths: [...byPath.keys()],
    document: documentFor(options.resource),
    handler(ctx: Context): void {
      const document = byPath.get(ctx.path);
      if (!document) return;
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.body = document;
    },
  };
}
