import { isIP } from 'node:net';

/** The request an event came from (and the OAuth client it was made for, when known). */
export interface AuditRequest {
  ip?: string;
  requestId?: string;
  userAgent?: string;
  clientId?: string;
}

/** What `auditRequest` reads: a Koa context, ours or oidc-provider's. */
interface RequestContext {
  ip: string;
  state: Record<string, unknown>;
  get(field: string): string;
  res: { getHeader(name: string): unknown };
  oidc?: { client?: { clientId: string } };
}

/**
 * The request part of an audit event. oidc-provider runs its own Koa context inside ours: there
 * the request id is read back from the `X-Request-Id` response header our middleware already set.
 */
export function auditRequest(ctx: RequestContext): AuditRequest {
  const requestId = ctx.state.requestId ?? ctx.res.getHeader('x-request-id');
  return {
    ip: isIP(ctx.ip) ? ctx.ip : undefined,
    requestId: typeof requestId === 'string' && requestId ? requestId : undefined,
    userAgent: ctx.get('user-agent') || undefined,
    clientId: ctx.oidc?.client?.clientId,
  };
}
