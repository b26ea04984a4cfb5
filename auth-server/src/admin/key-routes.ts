import type {} from '@koa/bodyparser';
import Router from '@koa/router';
import { parseInput, type RevocationStore, ServiceUnavailableError } from '@vectorauth/shared';
import type { Context } from 'koa';
import { z } from 'zod';
import type { AuditAction } from '../audit/audit-actions.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { auditRequest } from '../audit/audit-request.ts';
import type { KeySync } from '../keys/key-sync.ts';
import type { SigningKeyStore } from '../keys/signing-key-store.ts';

export const rotateSchema = z
  .object({ alg: z.enum(['ES256', 'RS256', 'PS256', 'EdDSA']).optional() })
  .strict();

/**
 * `/admin/keys`: the signing keys and their lifecycle (never private parts). Every change is
 * committed to Postgres, applied here at once and announced to the other instances.
 *
 * - `GET /`                 list
 * - `POST /rotate`          stage a new `next` key (`{"alg"}` optional, SIGNING_ALG by default)
 * - `POST /:kid/promote`    `next` -> `current`, the previous `current` -> `retired`
 * - `POST /:kid/retire`     withdraw a staged `next`
 * - `POST /:kid/revoke`     emergency: unpublish at once and have resource servers refuse its tokens
 */
export function createKeyRoutes(deps: {
  keys: SigningKeyStore;
  sync: KeySync;
  revocationStore: RevocationStore;
  audit: AuditLog;
}): Router {
  const { keys, sync, revocationStore } = deps;
  const router = new Router({ prefix: '/admin/keys' });
  /** Recorded as soon as Postgres has the change, before the other instances hear of it. */
  const audited = (ctx: Context, action: AuditAction, kid: string, detail: Record<string, unknown>) =>
    deps.audit.record({
      action,
      actor: { type: 'admin' },
      subject: { type: 'key', id: kid },
      request: auditRequest(ctx),
      detail,
    });

  router.get('/', async (ctx) => {
    ctx.body = { keys: await keys.list() };
  });

  router.post('/rotate', async (ctx) => {
    const { alg } = parseInput(rotateSchema, ctx.request.body ?? {});
    const key = await keys.stage(alg);
    await audited(ctx, 'key.rotated', key.kid, { alg: key.alg, status: key.status });
    await sync.announce();
    ctx.status = 201;
    ctx.body = { key };
  });

  router.post('/:kid/promote', async (ctx) => {
    const result = await keys.promote(ctx.params.kid!);
    await audited(ctx, 'key.promoted', result.current.kid, { retired: result.retired?.kid ?? null });
    await sync.announce();
    ctx.body = result;
  });

  router.post('/:kid/retire', async (ctx) => {
    const key = await keys.retire(ctx.params.kid!);
    await audited(ctx, 'key.retired', key.kid, {});
    await sync.announce();
    ctx.body = { key };
  });

  router.post('/:kid/revoke', async (ctx) => {
    const result = await keys.revoke(ctx.params.kid!);
    await audited(ctx, 'key.revoked', result.revoked.kid, { current: result.current.kid });
    await sync.announce();
    try {
      await revocationStore.revokeKey(result.revoked.kid, result.revoked.denyUntil!.getTime());
    } catch {
      throw new ServiceUnavailableError(
        `signing key ${result.revoked.kid} is revoked and unpublished, but resource servers could not be told to refuse its tokens (Redis); retry this command`,
      );
    }
    ctx.body = result;
  });

  return router;
}
