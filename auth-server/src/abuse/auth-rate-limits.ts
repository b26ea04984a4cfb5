import { hash as digest } from 'node:crypto';
import {
  createHeaderMemo,
  type RateDecision,
  type RateLimiter,
  ServiceUnavailableError,
} from '@vectorauth/shared';
import type { Context, Next } from 'koa';
import { normaliseEmail } from '../accounts/email-address.ts';
import { answerOauthUnavailable } from '../oidc/oauth-unavailable.ts';
import type { PageRenderer } from '../pages/renderer.ts';
import type { SignInThrottle } from './sign-in-throttle.ts';
import { isSignInUnfinished } from './sign-in-unfinished.ts';

export interface AuthLimits {
  /** Token, introspection and revocation requests per client (per address without client authentication). */
  oauthPerClient: number;
  /** Registration requests per address. */
  registrationPerIp: number;
  /** Page form posts (sign-in, sign-up, reset, verification, account, developer console) per address. */
  formsPerIp: number;
  /** Mails one address can be sent through sign-up, reset and resend. */
  mailsPerAccount: number;
}

/**
 * The paths each limit covers, matched the way the routers that serve them match (oidc-provider's
 * and @koa/router's defaults): letters in any case and one trailing slash, so `POST /TOKEN/` or
 * `/Forgot-Password` reaches the same endpoint and the same bucket, never around it.
 */
const OAUTH_PATHS = /^\/token(?:\/introspection|\/revocation)?\/?$/i;
const REGISTRATION = /^\/reg\/?$/i;
const MAIL_FORMS = /^\/(?:signup|forgot-password|verify-email\/resend)\/?$/i;
const SIGN_IN = /^\/interaction\/[^/]+\/login\/?$/i;

/**
 * The client id of HTTP Basic client authentication (RFC 6749 2.3.1: form-urlencoded), for the
 * bucket only: oidc-provider authenticates. Undecodable input is no client (the address counts).
 */
const clientOf = (authorization: string): string | undefined => {
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization)?.[1];
  if (!basic) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
  return id.length <= 128 ? id : undefined;
};
const hash = (v: string) => digest('sha256', v, 'base64url').slice(0, 22);

/**
 * The hashed client id of an Authorization header, or '' for none, worked out once per header (a
 * client sends the same one on every request).
 */
const clientHashOf = createHeaderMemo((authorization: string): string => {
  const client = clientOf(authorization);
  return client ? hash(client) : '';
});

/** The bucket and limit of a request to oidc-provider, or none: only POSTs to these endpoints count. */
function oauthBucket(ctx: Context, limits: AuthLimits): { bucket: string; max: number } | undefined {
  if (ctx.method !== 'POST') return undefined;
  if (OAUTH_PATHS.test(ctx.path)) {
    // The client id is only claimed here (oidc-provider authenticates later), and ids are public:
    // a bucket of the id alone would let anyone spend a client's limit with a wrong secret. So a
    // client counts per address it calls from; without an id, the address alone counts.
    const authorization = ctx.get('authorization');
    const client = authorization ? clientHashOf(authorization) : '';
    const bucket = client ? `oauth:client:${client}:${ctx.ip}` : `oauth:ip:${ctx.ip}`;
    return { bucket, max: limits.oauthPerClient };
  }
  if (REGISTRATION.test(ctx.path)) return { bucket: `reg:ip:${ctx.ip}`, max: limits.registrationPerIp };
  return undefined;
}

/** A page form's 429: the error page, with Retry-After. */
function answerTooManyAttempts(pages: PageRenderer, ctx: Context, retryAfter: number, message?: string) {
  ctx.set('Retry-After', String(retryAfter));
  const text = message ?? `Please wait ${retryAfter} seconds and try again.`;
  pages.render(ctx, 'error', { title: 'Too many attempts', message: text }, 429);
}

/**
 * The auth server's rate limits, shared by every instance through Redis: per client on the OAuth
 * endpoints, per address on registration and on every form, per account on mails, and the
 * progressive sign-in slowdown. A refused request is a 429 with Retry-After and RateLimit-* in
 * the endpoint's own format (OAuth JSON, or a page).
 */
export function createAuthRateLimits(deps: {
  limiter: RateLimiter;
  throttle: SignInThrottle;
  limits: AuthLimits;
  pages: PageRenderer;
  onLimited?: (ctx: Context, bucket: string) => void;
}) {
  const { limiter, throttle, limits, pages } = deps;

  const refusePage = (ctx: Context, retryAfter: number, message?: string) =>
    answerTooManyAttempts(pages, ctx, retryAfter, message);

  /**
   * A sign-in attempt, counted as a failure when admitted (a burst of parallel guesses is held
   * like a sequence), taken back when it signs in or decides nothing about the password.
   */
  async function signInSlowdown(ctx: Context, next: Next, email: string): Promise<void> {
    const wait = await throttle.admit(email, ctx.ip);
    if (wait > 0) {
      deps.onLimited?.(ctx, 'signin:throttle');
      return refusePage(ctx, wait, `Too many failed sign-ins. Please wait ${wait} seconds and try again.`);
    }
    let status = 0;
    try {
      await next();
      status = ctx.status;
    } finally {
      const redirected = status === 303 || status === 302;
      if (redirected && !isSignInUnfinished(ctx)) await throttle.succeeded(email, ctx.ip);
      else if (status !== 400) await throttle.undecided(email, ctx.ip);
    }
  }

  return {
    /** Before oidc-provider: OAuth endpoints and registration, answered as OAuth JSON. */
    async oauth(ctx: Context, next: Next): Promise<void> {
      const limit = oauthBucket(ctx, limits);
      if (!limit) return next();
      let decision: RateDecision;
      try {
        decision = await limiter.check(ctx, limit.bucket, limit.max);
      } catch (err) {
        if (!(err instanceof ServiceUnavailableError)) throw err;
        return answerOauthUnavailable(ctx, 'the server cannot take this request right now; retry shortly');
      }
      if (decision.allowed) return next();
      deps.onLimited?.(ctx, limit.bucket);
      ctx.status = 429;
      ctx.body = {
        error: 'rate_limited',
        error_description: `too many requests; retry in ${decision.retryAfter} s`,
      };
    },

    /**
     * A sign-in attempt whose address the handler knows (the second factor: the interaction holds
     * it), slowed and counted as a failed password is: a `400` answer counts as a failure.
     */
    signInAttempt: (ctx: Context, email: string, attempt: () => Promise<void>): Promise<void> =>
      signInSlowdown(ctx, attempt, email),

    /**
     * After the form parser (it needs the e-mail field), for every page form post: per address,
     * then mails per account, then the sign-in slowdown. No list of forms to keep up to date.
     */
    async forms(ctx: Context, next: Next): Promise<void> {
      if (ctx.method !== 'POST') return next();
      const perIp = await limiter.check(ctx, `form:ip:${ctx.ip}`, limits.formsPerIp);
      if (!perIp.allowed) {
        deps.onLimited?.(ctx, 'form:ip');
        return refusePage(ctx, perIp.retryAfter);
      }
      const email = normaliseEmail(
        String((ctx.state.form as Record<string, string> | undefined)?.email ?? ''),
      );
      if (email && MAIL_FORMS.test(ctx.path)) {
        const perAccount = await limiter.check(ctx, `mail:${hash(email)}`, limits.mailsPerAccount);
        if (!perAccount.allowed) {
          deps.onLimited?.(ctx, 'mail:account');
          return refusePage(
            ctx,
            perAccount.retryAfter,
            'Too many messages were asked for this address. Please try again later.',
          );
        }
      }
      return SIGN_IN.test(ctx.path) && email ? signInSlowdown(ctx, next, email) : next();
    },
  };
}
