import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '@vectorauth/shared';
import type { Context, Next } from 'koa';

const digest = (v: string) => createHash('sha256').update(v).digest();

/** `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
export function createAdminAuth(adminToken: string) {
  const expected = digest(adminToken);
  return async function adminAuth(ctx: Context, next: Next): Promise<void> {
    const match = /^Bearer (\S+)$/i.exec(ctx.get('authorization'));
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      throw new UnauthorizedError('the admin API needs "Authorization: Bearer <ADMIN_TOKEN>"');
    }
    await next();
  };
}
