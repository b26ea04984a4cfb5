import Router from '@koa/router';
import { parseInput } from '@vectorauth/shared';
import { z } from 'zod';
import { AUDIT_ACTIONS, AUDIT_ACTOR_TYPES, AUDIT_OUTCOMES } from '../audit/audit-actions.ts';
import type { AuditLog } from '../audit/audit-log.ts';

const instant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((value) => new Date(value));
const id = z.string().min(1).max(256);

export const querySchema = z
  .object({
    action: z.enum(AUDIT_ACTIONS).optional(),
    actor_type: z.enum(AUDIT_ACTOR_TYPES).optional(),
    actor_id: id.optional(),
    subject_id: id.optional(),
    client_id: id.optional(),
    outcome: z.enum(AUDIT_OUTCOMES).optional(),
    since: instant.optional(),
    until: instant.optional(),
    before: z
      .string()
      .regex(/^[1-9][0-9]{0,17}$/, 'an event id (the next_before of the previous page)')
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict()
  .refine((q) => !q.since || !q.until || q.since <= q.until, {
    message: 'since must not be after until',
    path: ['since'],
  });

/**
 * `GET /admin/audit`: the audit trail, newest first. Filters (all optional, combined with "and"):
 * action, actor_type, actor_id, subject_id, client_id, outcome, since/until (ISO 8601, inclusive);
 * paging: limit (1-500, default 100) and before (the `next_before` of the previous page).
 */
export function createAuditRoutes(audit: AuditLog): Router {
  const router = new Router({ prefix: '/admin/audit' });
  router.get('/', async (ctx) => {
    const query = parseInput(querySchema, ctx.query, 'query');
    const page = await audit.list(query);
    ctx.body = { events: page.events, next_before: page.nextBefore };
  });
  return router;
}
