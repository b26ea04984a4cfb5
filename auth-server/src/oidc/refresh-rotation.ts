import type { Context, Next } from 'koa';

/** What one token request did to its refresh token family (see the adapter's rotation). */
export interface Rotation {
  /** The refresh token presented. */
  oldId: string;
  /** Its successor, saved in the same statement that consumed it. */
  newId?: string;
  /** A retry within the grace window: the successor already issued, answered again. */
  replayOf?: string;
}

export interface RefreshRotation {
  /** Seconds after a rotation during which the old token, presented again, gets the same successor. */
  graceSec: number;
  get(ctx: object): Rotation | undefined;
  set(ctx: object, rotation: Rotation): void;
  /**
   * oidc-provider middleware: a replay answers the successor already issued; a rotation whose
   * request failed after it was committed is undone (the old token usable again, its successor gone).
   */
  middleware(ctx: Context, next: Next): Promise<void>;
}

/**
 * Refresh-token rotation all or nothing (README, "Refresh tokens"): the state a token request
 * carries between the adapter's `find`, `consume` and `upsert`, keyed by its Koa context.
 */
export function createRefreshRotation(deps: {
  graceSec: number;
  undo: (rotation: Required<Pick<Rotation, 'oldId' | 'newId'>>) => Promise<void>;
}): RefreshRotation {
  const rotations = new WeakMap<object, Rotation>();
  return {
    graceSec: deps.graceSec,
    get: (ctx) => rotations.get(ctx),
    set: (ctx, rotation) => rotations.set(ctx, rotation),
    middleware: async function replayOrUndoRotation(ctx, next) {
      let failed = true;
      try {
        await next();
        failed = ctx.status !== 200;
      } finally {
        const rotation = rotations.get(ctx);
        if (rotation?.replayOf && !failed) {
          const body = ctx.body as { refresh_token?: string } | undefined;
          if (body && typeof body === 'object' && body.refresh_token) body.refresh_token = rotation.replayOf;
        }
        if (rotation?.newId && failed) {
          // Best effort: when Postgres is the failure, the grace window covers the retry instead.
          await deps.undo({ oldId: rotation.oldId, newId: rotation.newId }).catch(() => undefined);
        }
      }
    },
  };
}
