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

/**
 * Runs each endpoint's steps on that endpoint's requests, and on no other: one middleware for all
 * of them, which finds the request's endpoint once (every request to oidc-provider passes it).
 */
export function installOidcEndpoints(provider: Provider, endpoints: readonly OidcEndpoint[]): void {
  const routes = endpoints.map((endpoint) => ({
    // The path its router matches `ctx.path` against: without the issuer's path (its mount path).
    isEndpoint: endpointRequestMatcher(endpoint.method, provider.pathFor(endpoint.route, { mountPath: '' })),
    actions: endpoint.actions,
  }));
  provider.use(function atEndpoint(ctx, next) {
    for (const { isEndpoint, actions } of routes) {
      if (isEndpoint(ctx)) return runActions(actions, ctx as KoaContextWithOIDC, next);
    }
    return next();
  });
}

/** `actions` in order around `next`, as Koa composes middleware. */
function runActions(actions: readonly EndpointAction[], ctx: KoaContextWithOIDC, next: Next): Promise<void> {
  const step = (index: number): Promise<void> =>
    index === actions.length ? next() : (actions[index] as EndpointAction)(ctx, () => step(index + 1));
  return step(0);
}

/**
 * Whether a request goes to the endpoint at `path`, matched the way oidc-provider's router matches
 * (`lib/helpers/router.js`): letters in any case (ASCII folding only, as a non-unicode `i` regular
 * expression does) and one trailing slash allowed. Our steps run before its router, so `/TOKEN` or
 * `/token/` must not slip past them.
 */
export function endpointRequestMatcher(method: string, path: string) {
  const pattern = new RegExp(`^${literal(path)}/?$`, 'i');
  return (ctx: { method: string; path: string }): boolean => ctx.method === method && pattern.test(ctx.path);
}

/**
 * Whether a path is `path` or under it (`/reg`, `/reg/:clientId`), in any letter case as
 * oidc-provider's router matches: for steps that let every other request pass at once.
 */
export function endpointPathPrefixMatcher(path: string): (requested: string) => boolean {
  const pattern = new RegExp(`^${literal(path)}(?:/|$)`, 'i');
  return (requested) => pattern.test(requested);
}

/** `path` as a regular expression that matches it literally. */
function literal(path: string): string {
  return path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
