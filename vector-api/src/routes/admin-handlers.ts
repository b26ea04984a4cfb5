import { parseInput } from '@vectorauth/shared';
import type { ParameterizedContext } from 'koa';
import type { PrincipalShredder } from '../store/shred-principal.ts';
import type { VectorSchemas } from './vector-schemas.ts';
import type { VectorState } from './vector-state.ts';

type Ctx = ParameterizedContext<VectorState> & { params: Record<string, string> };

/**
 * DELETE /v1/admin/principals/:sub (scope `admin`). The caller, from its token, acts on the
 * principal named in the path: this is the one route whose subject is not the caller.
 */
export function createAdminHandlers(schemas: VectorSchemas, shredder: PrincipalShredder) {
  return {
    async shredPrincipal(ctx: Ctx): Promise<void> {
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
