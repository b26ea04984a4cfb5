import Router from '@koa/router';
import { createLogger, createMetrics, type Listening, listen } from '@vectorauth/shared';
import { expect } from 'chai';
import type { Context } from 'koa';
import type { PageRenderer } from '../../src/pages/renderer.ts';
import { createPublicApp } from '../../src/public-app.ts';

/**
 * The path of an OAuth endpoint through the public app (issue 14: `/token` without detours): it
 * reaches oidc-provider past every check of the app (headers, input, rate limit, body) but not
 * through the page router, which serves no page there. Anything else still goes through the pages.
 */
describe('the public app: OAuth endpoints reach oidc-provider without the page router', () => {
  const seen: { pages: string[]; limits: string[]; provider: string[] } = {
    pages: [],
    limits: [],
    provider: [],
  };
  let served: Listening;

  before(async () => {
    const pageRouter = new Router();
    // Router-level middleware runs for every path the router matches anything on.
    pageRouter.use(async (ctx, next) => {
      seen.pages.push(ctx.path);
      await next();
    });
    pageRouter.get('/signup', (ctx) => {
      ctx.body = 'signup';
    });
    pageRouter.post('/token/page', (ctx) => {
      ctx.body = 'a page where no page may be';
    });
    const pages: PageRenderer = {
      render: (ctx: Context, _view, data, status = 200) => {
        ctx.status = status;
        ctx.body = String(data.message);
      },
      html: () => '',
    };
    const app = createPublicApp({
      logger: createLogger({ name: 'public-app-test', level: 'silent' }),
      oidc: () => async (req, res) => {
        seen.provider.push(req.url ?? '');
        res.statusCode = 200;
        res.setHeader('content-type', 'application/json');
        res.end('{"provider":true}');
      },
      metrics: createMetrics('public-app-test'),
      readiness: [],
      pageRouter,
      pages,
      config: { cookieKeys: ['k'.repeat(32)], trustProxy: false, nodeEnv: 'test' },
      oauthLimits: async (ctx, next) => {
        seen.limits.push(ctx.path);
        await next();
      },
    });
    served = await listen(app, '127.0.0.1', 0);
  });
  after(() => served.close());

  const post = (path: string, body = 'grant_type=client_credentials') =>
    fetch(`${served.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });

  it('sends /token, introspection, revocation and registration straight on, checked as before', async () => {
    for (const path of [
      '/token',
      '/TOKEN/',
      '/token/introspection',
      '/token/revocation',
      '/reg',
      '/reg/abc',
    ]) {
      const res = await post(path);
      expect(res.status, `${path}: ${await res.clone().text()}`).to.equal(200);
      expect(await res.json()).to.deep.equal({ provider: true });
      expect(res.headers.get('x-content-type-options'), 'security headers').to.equal('nosniff');
      expect(res.headers.get('x-request-id'), 'request id').to.be.a('string');
    }
    expect(seen.limits).to.include.members(['/token', '/TOKEN/', '/token/introspection', '/reg/abc']);
    expect(seen.pages).to.deep.equal([]);
    // The page router is not consulted even where a route of it would match.
    expect(await (await post('/token/page')).json()).to.deep.equal({ provider: true });
    expect(seen.pages).to.deep.equal([]);
  });

  it('still refuses an unusable body on an OAuth endpoint before oidc-provider sees it', async () => {
    const before = seen.provider.length;
    const res = await post('/token', 'grant_type=%00');
    expect(res.status).to.equal(400);
    expect(seen.provider.length).to.equal(before);
  });

  it('serves pages through the page router, and the rest on to oidc-provider', async () => {
    const signup = await fetch(`${served.url}/signup`);
    expect(await signup.text()).to.equal('signup');
    expect(seen.pages).to.deep.equal(['/signup']);
    expect(await (await fetch(`${served.url}/.well-known/openid-configuration`)).json()).to.deep.equal({
      provider: true,
    });
  });
});
