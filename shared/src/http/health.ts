import type { Context } from 'koa';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<unknown>;
}

const TIMEOUT_MS = 2000;

/** `/healthz`: the process answers. */
export async function healthz(ctx: Context): Promise<void> {
  ctx.body = { status: 'ok' };
}

/** `/readyz`: every dependency answers within two seconds; 503 naming those that do not. */
export function createReadyz(checks: readonly ReadinessCheck[]) {
  return async function readyz(ctx: Context): Promise<void> {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error('timeout')), TIMEOUT_MS);
            }),
          ]);
          return [name, 'ok'] as const;
        } catch {
          return [name, 'unavailable'] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const ready = results.every(([, s]) => s === 'ok');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) };
  };
}
