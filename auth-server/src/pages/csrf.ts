import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';

export interface Csrf {
  /** The token to put in a form's hidden `_csrf` field (sets the cookie it is bound to). */
  token(ctx: Context): string;
  /** Whether the posted token belongs to this browser's cookie. */
  valid(ctx: Context, posted: unknown): boolean;
}

const COOKIE = 'csrf';

/**
 * Signed double-submit: a random HttpOnly, SameSite=Lax cookie, and in each form an HMAC of it
 * under the cookie keys (the first signs, all verify). A cross-site form can neither read the
 * cookie nor forge the HMAC.
 */
export function createCsrf(keys: readonly string[]): Csrf {
  const sign = (key: string, value: string) =>
    createHmac('sha256', key).update(`csrf:${value}`).digest('base64url');
  return {
    token(ctx) {
      let value = ctx.cookies.get(COOKIE);
      if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) {
        value = randomBytes(32).toString('base64url');
        ctx.cookies.set(COOKIE, value, {
          httpOnly: true,
          sameSite: 'lax',
          secure: ctx.secure,
          path: '/',
          overwrite: true,
        });
      }
      return sign(keys[0]!, value);
    },
    valid(ctx, posted) {
      const value = ctx.cookies.get(COOKIE);
      if (!value || typeof posted !== 'string') return false;
      // Lengths in bytes, not characters: timingSafeEqual throws on buffers of different lengths.
      const given = Buffer.from(posted, 'utf8');
      if (given.length !== 43) return false;
      return keys.some((key) => timingSafeEqual(Buffer.from(sign(key, value)), given));
    },
  };
}
