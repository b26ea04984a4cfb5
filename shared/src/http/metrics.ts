import type { Context, Next } from 'koa';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  middleware: (ctx: Context, next: Next) => Promise<void>;
  handler: (ctx: Context) => Promise<void>;
  /** A counter of the service's own events on this registry (e.g. `vector_stored_data_tampered_total`). */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L>;
}

/**
 * Prometheus metrics for one app: request counts and latency histograms labelled by method,
 * matched route (never the raw path: ids would explode the label set) and status.
 */
export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    registry,
    async middleware(ctx, next) {
      const end = duration.startTimer();
      try {
        await next();
      } finally {
        const labels = { method: ctx.method, route: routeOf(ctx), status: String(ctx.status) };
        end(labels);
        requests.inc(labels);
      }
    },
    async handler(ctx) {
      ctx.type = registry.contentType;
      ctx.body = await registry.metrics();
    },
    counter: (name, help, labelNames) => new Counter({ name, help, labelNames, registers: [registry] }),
  };
}

function routeOf(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: string | RegExp })._matchedRoute;
  return typeof matched === 'string' ? matched : 'unmatched';
}
