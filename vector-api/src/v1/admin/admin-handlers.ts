import { parseInput } from '@vectorauth/shared';
import { z } from 'zod';
import type { createAuditQuery } from '../../store/audit-query.ts';
import type { PrincipalShredder } from '../../store/shred-principal.ts';
import type { VectorSchemas } from '../vector-schemas.ts';
import type { V1Context } from '../vector-state.ts';

const auditQuery = z
  .object({
    action: z.string().max(64).optional(),
    subject: z.string().max(256).optional(),
    actor: z.string().max(256).optional(),
    since: z.iso
      .datetime({ offset: true })
      .transform((v) => new Date(v))
      .optional(),
    until: z.iso
      .datetime({ offset: true })
      .transform((v) => new Date(v))
      .optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export function createAdminHandlers(
  schemas: VectorSchemas,
  shredder: PrincipalShredder,
  listAudit: ReturnType<typeof createAuditQuery>,
) {
  return {
    /** GET /v1/admin/audit (scope `admin`): crypto-shredding and permission-denied events, newest first. */
    async listAudit(ctx: V1Context): Promise<void> {
      ctx.body = await listAudit(parseInput(auditQuery, ctx.query, 'query'));
    },
    /**
     * DELETE /v1/admin/principals/:sub (scope `admin`). The caller, from its token, acts on the
     * principal named in the path: this is the one route whose subject is not the caller.
     */
    async shredPrincipal(ctx: V1Context): Promise<void> {
      const { sub } = parseInput(schemas.principalParams, ctx.params, 'path');
      await shredder.shred({
        principal: sub,
        actor: ctx.state.token.sub,
        via: 'admin_api',
        requestId: ctx.state.requestId,
      });
      ctx.status = 204;
    },
  };
}
