import type { Next } from 'koa';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';

/** One step we add to an oidc-provider endpoint: Koa middleware around oidc-provider's own action. */
export type EndpointAction = (ctx: KoaContextWithOIDC, next: Next) => Promise<void>;

/**
 * One of oidc-provider's endpoints, by its route name (`ctx.oidc.route`), and the steps we add to
 * it, listed outermost first like oidc-provider's own actions (`lib/actions/*.js`): a check runs
 * before `next()`, in list order; a step that acts on oidc-provider's answer awaits `next()` first,
 * so those run from the last in the list to the first. `ctx.oidc` is there once `next()` returned.
 */
export interface OidcEndpoint {
  route: string;
  method: 'POST';
  actions: readonly EndpointAction[];
}

/** Runs each step of `endpoint` on that endpoint's requests, and on no other. */
export function installOidcEndpoint(provider: Provider, endpoint: OidcEndpoint): void {
  // The path its router matches `ctx.path` against: without the issuer's path (its mount path).
  const path = provider.pathFor(endpoint.route, { mountPath: '' });
  const isEndpoint = endpointRequestMatcher(endpoint.method, path);
  for (const action of endpoint.actions) {
    provider.use(function atEndpoint(ctx, next) {
      return isEndpoint(ctx) ? action(ctx as KoaContextWithOIDC, next) : next();
    });
  }
}

/**
 * Whether a request goes to the endpoint at `path`, matched the way oidc-provider's router matches
 * (`lib/helpers/router.js`): letters in any case (ASCII folding only, as a non-unicode `i` regular
 * expression does) and one trailing slash allowed. Our steps run before its router, so `/TOKEN` or
 * `/token/` must not slip past them.
 */
export function endpointRequestMatcher(method: string, path: string) {
  const pattern = new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/?$`, 'i');
  return (ctx: { method: string; path: string }): boolean => ctx.method === method && pattern.test(ctx.path);
}
