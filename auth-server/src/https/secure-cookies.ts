import type { Context, Next } from 'koa';

/**
 * Production: cookies are `Secure` whatever scheme this hop saw. TLS usually ends at a proxy, so
 * the request reaching us is plain http (and with TRUST_PROXY off, nothing says otherwise); a
 * cookie without `Secure` would then be sent by browsers over http too. Koa and oidc-provider
 * decide `Secure` from `ctx.secure`, so it is pinned to true for the request (before anything
 * reads `ctx.cookies`). Requests a proxy marks as plain http are refused before this
 * (refuse-plain-http.ts). Used as middleware of the public app and of oidc-provider.
 */
export async function secureCookies(ctx: Context, next: Next): Promise<void> {
  Object.defineProperty(ctx.request, 'secure', { value: true, configurable: true });
  await next();
}
