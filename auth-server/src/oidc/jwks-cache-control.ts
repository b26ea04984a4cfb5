import type { KoaContextWithOIDC, Provider } from 'oidc-provider';

/**
 * `/jwks` may be cached for `maxAgeSec`: shorter than a `next` key's publication before it signs
 * (KEY_PUBLISH_WAIT_SEC), so every cache holds a key before any token names it.
 */
export function installJwksCacheControl(provider: Provider, maxAgeSec: number): void {
  provider.use(async function jwksCacheControl(ctx, next) {
    await next();
    if ((ctx as KoaContextWithOIDC).oidc?.route === 'jwks' && ctx.status === 200) {
      ctx.set('Cache-Control', `public, max-age=${maxAgeSec}`);
    }
  });
}
