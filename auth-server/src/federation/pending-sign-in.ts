import type { Context } from 'koa';
import type { UpstreamChecks, UpstreamProviderId } from './upstream-provider.ts';

/** A sign-in at an upstream provider on its way: for an interaction (`uid`) or to link an account. */
export interface PendingSignIn {
  provider: UpstreamProviderId;
  uid?: string;
  accountId?: string;
  checks: UpstreamChecks;
}

const COOKIE = 'federated';
const TTL_MS = 10 * 60_000;

/**
 * The state, nonce and PKCE verifier live in the browser that started the sign-in, in a signed
 * (cookie keys: first signs, all verify), HttpOnly, SameSite=Lax cookie of ten minutes. It names
 * the interaction or account it is for, and is spent by the first callback that reads it.
 */
export const pendingSignIn = {
  save(ctx: Context, pending: PendingSignIn): void {
    const value = Buffer.from(JSON.stringify({ ...pending, exp: Date.now() + TTL_MS })).toString('base64url');
    ctx.cookies.set(COOKIE, value, {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      secure: ctx.secure,
      path: '/',
      maxAge: TTL_MS,
      overwrite: true,
    });
  },
  /** Reads and clears the cookie; undefined when absent, forged or expired. */
  take(ctx: Context): PendingSignIn | undefined {
    const value = ctx.cookies.get(COOKIE, { signed: true });
    ctx.cookies.set(COOKIE, null, { signed: true, path: '/', overwrite: true });
    if (!value) return undefined;
    try {
      const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as PendingSignIn & {
        exp: number;
      };
      if (typeof parsed.exp !== 'number' || parsed.exp < Date.now()) return undefined;
      if (typeof parsed.checks?.state !== 'string' || typeof parsed.checks.verifier !== 'string')
        return undefined;
      return parsed;
    } catch {
      return undefined;
    }
  },
  /** Peeks without spending (the bounce from the fixed callback URL to the interaction's). */
  peek(ctx: Context): PendingSignIn | undefined {
    const value = ctx.cookies.get(COOKIE, { signed: true });
    if (!value) return undefined;
    try {
      return JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as PendingSignIn;
    } catch {
      return undefined;
    }
  },
};
