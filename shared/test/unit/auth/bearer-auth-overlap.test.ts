import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { expect } from 'chai';
import Koa, { type Context } from 'koa';
import type { AccessTokenClaims } from '../../../src/auth/access-token-claims.ts';
import type { AccessTokenVerifier } from '../../../src/auth/access-token-verifier.ts';
import { type BearerAuthOptions, createBearerAuth } from '../../../src/auth/bearer-auth.ts';
import type { RequestCheckResult, RequestChecks } from '../../../src/auth/request-checks.ts';
import { createTrustedTokens } from '../../../src/auth/trusted-tokens.ts';
import { ServiceUnavailableError } from '../../../src/errors/errors.ts';

const claims = (jti: string, extra: Partial<AccessTokenClaims> = {}): AccessTokenClaims => ({
  sub: 'user-1',
  clientId: 'app',
  scopes: new Set(['vectors:read']),
  jti,
  iat: 1,
  exp: 2_000_000_000,
  ...extra,
});

const verifier: AccessTokenVerifier = {
  verify: async (token) => claims(token, token.startsWith('bound') ? { jkt: 'thumbprint' } : {}),
  expectKeys() {},
};

/** Checks whose answers the test gives, one per request, when it chooses. */
function heldChecks() {
  const waiting: { resolve: (r: RequestCheckResult) => void; reject: (e: unknown) => void }[] = [];
  const checks: RequestChecks = {
    run: () => new Promise((resolve, reject) => waiting.push({ resolve, reject })),
  };
  const answer = (result: Partial<RequestCheckResult> = {}) =>
    waiting.shift()?.resolve({ revoked: false, replayed: false, reads: ['7'], ...result });
  const fail = (err: unknown) => waiting.shift()?.reject(err);
  return { checks, answer, fail, asked: () => waiting.length };
}

const newContext = (authorization: string, headers: Record<string, string> = {}): Context => {
  const req = new IncomingMessage(new Socket());
  req.headers = { authorization, ...headers };
  return new Koa().createContext(req, new ServerResponse(req));
};

const tick = () => new Promise((r) => setImmediate(r));

/**
 * bearer-auth's overlap (pure logic: checks and verifier are the test's): a read-only route runs
 * its handler while the token's Redis checks are in flight only for a token that passed them
 * lately, and nothing the handler produced or threw is the answer unless they pass.
 */
describe('bearer auth: a read-only route overlaps its handler with the token checks', () => {
  function setup(options: Partial<BearerAuthOptions> = {}) {
    const held = heldChecks();
    const trusted = createTrustedTokens();
    const auth = createBearerAuth(verifier, {
      route: { checks: held.checks, scope: 'vectors:read', reads: () => ['cv:1'] },
      trusted,
      overlap: true,
      ...options,
    });
    /** One request: whether the handler started, and how the middleware ended. */
    function request(token: string, handler: (ctx: Context) => Promise<void> = async () => {}) {
      const ctx = newContext(`Bearer ${token}`);
      const seen = { handlerStarted: false, settled: false };
      const done = auth(ctx, async () => {
        seen.handlerStarted = true;
        await handler(ctx);
      }).finally(() => {
        seen.settled = true;
      });
      done.catch(() => {});
      return { ctx, seen, done };
    }
    /** A request whose checks pass at once: the token is trusted afterwards. */
    async function pass(token: string) {
      const r = request(token);
      await tick();
      held.answer();
      await r.done;
    }
    return { held, trusted, request, pass };
  }

  it('a token never checked here: the handler runs only once the checks have answered', async () => {
    const { held, request } = setup();
    const r = request('t1');
    await tick();
    expect(r.seen.handlerStarted).to.equal(false);
    held.answer();
    await r.done;
    expect(r.seen.handlerStarted).to.equal(true);
    expect(r.ctx.state.checkedReads).to.deep.equal(new Map([['cv:1', '7']]));
  });

  it('a token that passed: the handler runs at once, with the reads to come, and the answer waits for the checks', async () => {
    const { held, request, pass } = setup();
    await pass('t1');
    let reads: unknown;
    const r = request('t1', async (ctx) => {
      ctx.body = { results: [] };
      reads = await ctx.state.checkedReads;
    });
    await tick();
    expect(r.seen.handlerStarted).to.equal(true);
    expect(r.ctx.state.checksPending).to.equal(true);
    await tick();
    expect(r.seen.settled, 'not answered before the checks').to.equal(false);
    held.answer();
    await r.done;
    expect(reads).to.deep.equal(new Map([['cv:1', '7']]));
    expect(r.ctx.state.checksPending).to.equal(false);
  });

  it('revoked meanwhile: the refusal is the answer, not what the handler produced or threw; the token is checked first again', async () => {
    const { held, request, pass } = setup();
    await pass('t1');
    const produced = request('t1', async (ctx) => {
      ctx.body = { results: ['secret'] };
    });
    await tick();
    held.answer({ revoked: true });
    const refusal = await produced.done.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refusal).to.have.property('code', 'invalid_token');
    expect(produced.ctx.state.token, 'a revoked token names no principal').to.equal(undefined);
    expect((refusal as { headers: Record<string, string> }).headers['WWW-Authenticate']).to.match(/^Bearer /);

    const next = request('t1');
    await tick();
    expect(next.seen.handlerStarted, 'no longer trusted').to.equal(false);
    held.answer({ revoked: true });
    expect(
      await next.done.then(
        () => 'answered',
        (err) => err.code,
      ),
    ).to.equal('invalid_token');

    await pass('t2');
    const threw = request('t2', async () => {
      throw new Error('no collection named "x"');
    });
    await tick();
    held.answer({ revoked: true });
    expect(
      await threw.done.then(
        () => 'answered',
        (err) => err.code,
      ),
    ).to.equal('invalid_token');
  });

  it('a handler that fails while the checks pass answers its own error', async () => {
    const { held, request, pass } = setup();
    await pass('t1');
    const r = request('t1', async () => {
      throw new Error('the handler failed');
    });
    await tick();
    held.answer();
    expect(
      await r.done.then(
        () => 'answered',
        (err) => err.message,
      ),
    ).to.equal('the handler failed');
  });

  it('a limit with nothing left, or spent, is not trusted', async () => {
    const held = heldChecks();
    const { request } = setup({
      route: { checks: held.checks, scope: 'vectors:read', limit: () => ({ bucket: 'b', max: 5 }) },
    });
    const answered = async (r: ReturnType<typeof request>, result: Partial<RequestCheckResult>) => {
      await tick();
      const early = r.seen.handlerStarted;
      held.answer(result);
      await r.done.catch(() => {});
      return early;
    };
    const allowed = (remaining: number) => ({ limit: { allowed: true, retryAfter: 0, remaining } });
    expect(await answered(request('t1'), allowed(0))).to.equal(false);
    expect(
      await answered(request('t1'), { limit: { allowed: false, retryAfter: 3, remaining: 0 } }),
    ).to.equal(false);
    expect(await answered(request('t1'), allowed(4)), 'after the last one spent the limit').to.equal(false);
    expect(await answered(request('t1'), allowed(3)), 'room again').to.equal(true);
  });

  it('a route without overlap, or a token without the scope, never runs early', async () => {
    const plain = setup({ overlap: false });
    await plain.pass('t1');
    const r = plain.request('t1');
    await tick();
    expect(r.seen.handlerStarted).to.equal(false);
    plain.held.answer();
    await r.done;

    const scoped = setup({ route: { checks: plain.held.checks, scope: 'vectors:write' } });
    scoped.trusted.passed(claims('t2'), undefined);
    const s = scoped.request('t2');
    await tick();
    expect(s.seen.handlerStarted).to.equal(false);
    plain.held.answer();
    expect(
      await s.done.then(
        () => 'answered',
        (err) => err.status,
      ),
    ).to.equal(403);
  });

  it('a DPoP request never runs early (a replayed proof is not counted by the rate limit)', async () => {
    const held = heldChecks();
    const { trusted } = setup();
    const auth = createBearerAuth(verifier, {
      route: { checks: held.checks, scope: 'vectors:read' },
      trusted,
      overlap: true,
      dpop: {
        verifier: {
          algorithms: ['ES256'],
          verify: async () => ({ jti: 'p1', replayKey: 'dpop:jti', replayTtlMs: 60_000 }),
        },
        requestUrl: () => 'http://127.0.0.1/v1/collections/x/search',
      },
    });
    trusted.passed(claims('bound-1'), undefined);
    let started = false;
    const done = auth(newContext('DPoP bound-1', { dpop: 'proof' }), async () => {
      started = true;
    });
    await tick();
    expect(started).to.equal(false);
    held.answer();
    await done;
    expect(started).to.equal(true);
  });

  it('Redis failing under an overlapped handler that never asked for the reads: a 503, and no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const { held, request, pass } = setup();
      await pass('t1');
      const r = request('t1', async (ctx) => {
        ctx.body = { count: 1 };
      });
      await tick();
      expect(r.seen.handlerStarted).to.equal(true);
      held.fail(new ServiceUnavailableError('the revocation list cannot be checked', 'redis'));
      expect(
        await r.done.then(
          () => 'answered',
          (err) => err.status,
        ),
      ).to.equal(503);
      await tick();
      await tick();
      expect(unhandled).to.deep.equal([]);
      // And the token is checked first again.
      const next = request('t1');
      await tick();
      expect(next.seen.handlerStarted).to.equal(false);
      held.answer();
      await next.done;
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
