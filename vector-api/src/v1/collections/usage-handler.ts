import { withDbErrors } from '@vectorauth/shared';
import { readUsage } from '../../store/principal-usage.ts';
import type { V1Context } from '../vector-state.ts';

/** GET /v1/usage: what the principal stores against its quota (through the calling client). */
export async function usageHandler(ctx: V1Context): Promise<void> {
  const used = await withDbErrors(() => readUsage(ctx.state.em, ctx.state.token.sub));
  const { quota } = ctx.state;
  ctx.body = {
    collections: { used: used.collections, limit: quota.collections },
    vectors: { used: used.vectors, limit: quota.vectors },
    bytes: { used: used.bytes, limit: quota.bytes },
  };
}
