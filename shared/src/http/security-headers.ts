import type { Context, Next } from 'koa';

/** CSP for JSON APIs: nothing may load, nothing may frame. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/**
 * CSP for server-rendered pages: own stylesheet only, never framed; no inline script except the
 * one oidc-provider writes into its auto-submitting form pages (the sign-out before switching
 * account, `response_mode=form_post`), which it allows by its hash in `script-src`: without a
 * `script-src` to add it to, those pages stayed blank. Our own scripts may call our own origin
 * (`connect-src 'self'`: a passkey ceremony fetches its options).
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Headers on every response: nosniff, no referrer (URLs can carry codes and tokens), no framing,
 * a CSP without inline script, isolation from cross-origin openers, HSTS when served over https.
 * A route may set a stricter or different CSP itself.
 */
export function createSecurityHeaders(options: { csp?: string } = {}) {
  const csp = options.csp ?? API_CSP;
  return async function securityHeaders(ctx: Context, next: Next): Promise<void> {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Resource-Policy', 'same-site');
    ctx.set('Content-Security-Policy', csp);
    if (ctx.secure) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    await next();
  };
}
