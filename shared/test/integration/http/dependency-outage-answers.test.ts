import { Writable } from 'node:stream';
import { expect } from 'chai';
import Koa from 'koa';
import { DatabaseUnavailableError, ServiceUnavailableError } from '../../../src/errors/errors.ts';
import { createAccessLog } from '../../../src/http/access-log.ts';
import { createErrorHandler } from '../../../src/http/error-handler.ts';
import { type Listening, listen } from '../../../src/http/listen.ts';
import { createMetrics } from '../../../src/http/metrics.ts';
import { createLogger } from '../../../src/logger/logger.ts';
import { metricValue } from '../../support/wait-for.ts';

/**
 * What an operator sees when a dependency is away: the access log records the status answered
 * (503, not Koa's default 404 of a thrown request), the outage is one warning naming the
 * dependency (no stack, not an error), and `/metrics` counts it by dependency.
 */
describe('dependency outages in logs and metrics', () => {
  const lines: Record<string, unknown>[] = [];
  let server: Listening;

  before(async () => {
    const destination = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const logger = createLogger({ name: 'outage-test', level: 'info', destination });
    const metrics = createMetrics('outage-test');
    const app = new Koa();
    app.use(createErrorHandler(logger));
    app.use(createAccessLog(logger));
    app.use(metrics.middleware);
    app.use(async (ctx) => {
      if (ctx.path === '/metrics') return metrics.handler(ctx);
      if (ctx.path === '/redis')
        throw new ServiceUnavailableError('the revocation list cannot be checked', 'redis');
      if (ctx.path === '/postgres') throw new DatabaseUnavailableError();
      if (ctx.path === '/worker') throw new ServiceUnavailableError('the search index restarted; try again');
      throw new Error('a bug');
    });
    server = await listen(app, '127.0.0.1', 0);
  });
  after(() => server?.close());

  const get = (path: string) => fetch(`${server.url}${path}`);

  it('logs the answered status, one warning per dependency outage, and counts it', async () => {
    const statuses = [];
    for (const path of ['/redis', '/postgres', '/worker', '/bug']) statuses.push((await get(path)).status);
    expect(statuses).to.deep.equal([503, 503, 503, 500]);

    const access = lines.filter((l) => l.msg === 'request').map((l) => [l.path, l.status]);
    expect(access).to.deep.equal([
      ['/redis', 503],
      ['/postgres', 503],
      ['/worker', 503],
      ['/bug', 500],
    ]);
    const warnings = lines.filter((l) => l.level === 40).map((l) => [l.msg, l.dependency, 'err' in l]);
    expect(warnings).to.deep.equal([
      ['redis unavailable', 'redis', false],
      ['database unavailable', 'postgres', false],
    ]);
    // A 503 without a dependency (our own worker) and a bug stay errors, with their stack.
    const errors = lines.filter((l) => l.level === 50).map((l) => [l.path, l.msg, 'err' in l]);
    expect(errors).to.deep.equal([
      ['/worker', 'request failed', true],
      ['/bug', 'request failed', true],
    ]);

    const text = await (await get('/metrics')).text();
    expect(metricValue(text, 'dependency_unavailable_total{dependency="redis"}')).to.equal(1);
    expect(metricValue(text, 'dependency_unavailable_total{dependency="postgres"}')).to.equal(1);
  });
});
