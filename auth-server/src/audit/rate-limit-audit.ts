import type { Redis } from '@vectorauth/shared';
import type { Context } from 'koa';
import type { OauthMetrics } from '../oidc/oauth-metrics.ts';
import type { AuditLog } from './audit-log.ts';
import { auditRequest } from './audit-request.ts';

/**
 * What a refused request (429) leaves behind: a metric every time, and one `rate_limit.hit` audit
 * row per bucket, address and window, however hard a flood pushes (a Redis `SET NX` decides which
 * refusal is the first). Never fails the refusal itself.
 */
export function createRateLimitAudit(deps: {
  redis: Redis;
  audit: AuditLog;
  oauthMetrics: OauthMetrics;
  windowMs: number;
}): (ctx: Context, bucket: string) => void {
  const { redis, audit, oauthMetrics } = deps;
  const windowSec = Math.ceil(deps.windowMs / 1000);
  return function onLimited(ctx, bucket) {
    oauthMetrics.rateLimited(bucket);
    redis
      .set(`rl:audited:${bucket}:${ctx.ip}`, '1', 'EX', windowSec, 'NX')
      .then((first) =>
        first
          ? audit.record({
              action: 'rate_limit.hit',
              outcome: 'failure',
              actor: { type: 'anonymous' },
              subject: { type: 'ip', id: ctx.ip },
              request: auditRequest(ctx),
              detail: { bucket },
            })
          : undefined,
      )
      .catch(() => undefined);
  };
}
