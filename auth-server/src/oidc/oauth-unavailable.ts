import { markUnavailable } from '@vectorauth/shared';
import type { Context } from 'koa';

/**
 * The OAuth endpoints' answer when a dependency (Redis unless told) cannot be asked: 503 with
 * Retry-After and RFC 6749's `temporarily_unavailable` (5.2 has no code of its own for this; it is
 * the usual one), counted in `/metrics` as `dependency_unavailable_total{dependency}`.
 */
export function answerOauthUnavailable(ctx: Context, description: string, dependency = 'redis'): void {
  markUnavailable(ctx.req, dependency);
  ctx.status = 503;
  ctx.set('Retry-After', '1');
  ctx.body = { error: 'temporarily_unavailable', error_description: description };
}
