import type { MikroORM } from '@mikro-orm/postgresql';
import { InsufficientScopeError, type Logger } from '@vectorauth/shared';
import type { Context, Next } from 'koa';

/**
 * Records every `403 insufficient_scope` at the vector API in `audit_event` (who, which scope,
 * which route, request id) and as a log line; the answer itself is unchanged.
 */
export function createPermissionAudit(deps: { orm: MikroORM; logger: Logger }) {
  return async function permissionAudit(ctx: Context, next: Next): Promise<void> {
    try {
      await next();
    } catch (err) {
      if (err instanceof InsufficientScopeError) {
        const token = ctx.state.token as { sub: string; clientId: string } | undefined;
        const detail = {
          scope: err.scope,
          method: ctx.method,
          route: String(ctx._matchedRoute ?? ''),
          client_id: token?.clientId,
        };
        deps.logger.warn({ requestId: ctx.state.requestId, sub: token?.sub, ...detail }, 'permission denied');
        await deps.orm.em
          .getConnection()
          .execute(
            'insert into audit_event (actor, action, subject, request_id, detail) values (?, ?, ?, ?, ?)',
            [
              token?.sub ?? 'anonymous',
              'permission.denied',
              token?.sub ?? 'anonymous',
              ctx.state.requestId ?? null,
              JSON.stringify(detail),
            ],
          )
          .catch((e: unknown) => deps.logger.error({ err: e }, 'recording an audit event failed'));
      }
      throw err;
    }
  };
}
