import type { Context } from 'koa';
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';

/**
 * `/jwks` may be cached for `maxAgeSec`: shorter than a `next` key's publication before it signs
 * (KEY_PUBLISH_WAIT_SEC), so every cache holds a key before any token names it.
 */
export function installJwksCacheControl(provider: Provider, maxAgeSec: number): void {
  const cacheControl = `public, max-age=${maxAgeSec}`;
  const setCacheControl = (ctx: Context) => {
    if ((ctx as KoaContextWithOIDC).oidc?.route === 'jwks' && ctx.status === 200) {
      ctx.set('Cache-Control', cacheControl);
    }
  };
  // Only a GET (or HEAD) can reach /jwks: the other requests pass at once.
  provider.use(function jwksCacheControl(ctx, next) {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    return next().then(() => setCacheControl(ctx));
  });
}
