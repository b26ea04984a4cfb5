import { isDatabaseUnavailable, markUnavailable } from '@vectorauth/shared';
import type { Context, Next } from 'koa';
import { errors, Provider } from 'oidc-provider';

const RETRY_AFTER_SEC = '1';

/**
 * The OAuth endpoints' answer when a dependency (Redis unless told) cannot be asked: 503 with
 * Retry-After and RFC 6749's `temporarily_unavailable` (5.2 has no code of its own for this; it is
 * the usual one), counted in `/metrics` as `dependency_unavailable_total{dependency}`.
 */
export function answerOauthUnavailable(ctx: Context, description: string, dependency = 'redis'): void {
  noteUnavailable(ctx, dependency);
  ctx.status = 503;
  ctx.set('Retry-After', RETRY_AFTER_SEC);
  ctx.body = { error: 'temporarily_unavailable', error_description: description };
}

/**
 * Postgres cannot be asked: thrown from the adapter, oidc-provider renders it in each endpoint's
 * own format (JSON at /token, its error page or a redirect with `error=temporarily_unavailable`
 * at /auth) with status 503; `toAppError` recognises it through its cause.
 */
export class OauthDatabaseUnavailable extends errors.OIDCProviderError {
  readonly dependency = 'postgres';

  constructor(cause: unknown) {
    super(503, 'temporarily_unavailable', { cause });
    Object.assign(this, { expose: true, error_description: 'the database is unavailable; retry shortly' });
    this.error_detail = undefined;
  }
}

/** Runs one adapter operation, its Postgres outages turned into `OauthDatabaseUnavailable`. */
export async function oauthDb<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (!isDatabaseUnavailable(err)) throw err;
    const ctx = Provider.ctx;
    if (ctx) noteUnavailable(ctx, 'postgres');
    throw err instanceof OauthDatabaseUnavailable ? err : new OauthDatabaseUnavailable(err);
  }
}

/** Which dependency made this request a 503, for `/metrics` (oidc-provider's ctx is not ours). */
function noteUnavailable(ctx: Context, dependency: string): void {
  markUnavailable(ctx.req, dependency);
}

/**
 * oidc-provider middleware: every 503 it answers carries Retry-After, and a Postgres outage met
 * outside the adapter (finding the account, a hook) that oidc-provider could only call a
 * `server_error` becomes the same 503 `temporarily_unavailable`. `serverErrors` is fed from the
 * provider's `server_error` event (which hands over the original error). Each such 503 is
 * marked with its dependency, so `/metrics` counts it in `dependency_unavailable_total`.
 */
export function createOauthOutageAnswers() {
  const serverErrors = new WeakMap<object, unknown>();
  return {
    noteServerError(ctx: object, err: unknown): void {
      serverErrors.set(ctx, err);
    },
    async middleware(ctx: Context, next: Next): Promise<void> {
      await next();
      const err = serverErrors.get(ctx);
      if (ctx.status === 500 && err !== undefined && isDatabaseUnavailable(err)) {
        noteUnavailable(ctx, 'postgres');
        ctx.status = 503;
        const body = ctx.body as { error?: string } | undefined;
        if (body && typeof body === 'object' && body.error === 'server_error') {
          ctx.body = {
            error: 'temporarily_unavailable',
            error_description: 'the database is unavailable; retry shortly',
          };
        }
      }
      if (ctx.status === 503 && !ctx.response.get('Retry-After')) ctx.set('Retry-After', RETRY_AFTER_SEC);
    },
  };
}
