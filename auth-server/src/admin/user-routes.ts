import Router from '@koa/router';
import { NotFoundError, parseInput } from '@vectorauth/shared';
import { z } from 'zod';
import type { AccountRepository } from '../accounts/account-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';
import type { AccountSessions } from '../oidc/account-sessions.ts';

export const pageQuery = z.object({
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/**
 * `/admin/users`: list, disable (ends sessions and grants), delete (also announced to resource
 * servers through `onDeleted`, a `principal.deleted` event on Redis, so the vector API destroys
 * the user's data).
 */
export function createUserRoutes(deps: {
  accounts: AccountRepository;
  sessions: AccountSessions;
  onDeleted: (accountId: string) => Promise<void>;
  audit: AuditLog;
}): Router {
  const { accounts, sessions, audit } = deps;
  const router = new Router({ prefix: '/admin/users' });

  router.get('/', async (ctx) => {
    const { offset, limit } = parseInput(pageQuery, ctx.query, 'query');
    const page = await accounts.list({ offset, limit });
    ctx.body = {
      users: page.accounts.map(({ id, email, emailVerified, disabled, createdAt, lastSignInAt }) => ({
        id,
        email,
        email_verified: emailVerified,
        disabled,
        created_at: createdAt,
        last_sign_in_at: lastSignInAt ?? null,
      })),
      total: page.total,
      offset,
      limit,
    };
  });

  router.post('/:id/disable', async (ctx) => {
    if (!(await accounts.setDisabled(ctx.params.id!, true))) throw new NotFoundError('no such user');
    await sessions.endEverything(ctx.params.id!, 'user_disabled');
    await audit.record({
      action: 'user.disabled',
      actor: { type: 'admin' },
      subject: { type: 'user', id: ctx.params.id! },
      request: auditRequest(ctx),
    });
    ctx.status = 204;
  });

  router.delete('/:id', async (ctx) => {
    const id = ctx.params.id!;
    if (!(await accounts.findById(id))) throw new NotFoundError('no such user');
    await sessions.endEverything(id, 'user_deleted');
    // Announce first: if that fails nothing is deleted and the operator retries; a repeated
    // announcement is harmless (resource servers shred idempotently).
    await deps.onDeleted(id);
    await accounts.delete(id);
    await audit.record({
      action: 'user.deleted',
      actor: { type: 'admin' },
      subject: { type: 'user', id },
      request: auditRequest(ctx),
    });
    ctx.status = 204;
  });

  return router;
}
