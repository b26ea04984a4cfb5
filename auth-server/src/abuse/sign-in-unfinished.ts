import type { Context } from 'koa';

const UNFINISHED = 'signInUnfinished';

/**
 * Marks an answer to a first factor that passed while the sign-in waits for the second: its
 * redirect takes the attempt's count back, but is no success to the sign-in slowdown (the address
 * is not made known, its failures are not cleared) until the second factor passes too.
 */
export function markSignInUnfinished(ctx: Context): void {
  ctx.state[UNFINISHED] = true;
}

export const isSignInUnfinished = (ctx: Context): boolean => ctx.state[UNFINISHED] === true;
