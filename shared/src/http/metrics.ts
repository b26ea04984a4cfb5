import type { IncomingMessage } from 'node:http';
import type { Context, Next } from 'koa';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { ServiceUnavailableError } from '../errors/errors.ts';
import { afterRequest } from './after-request.ts';
import { toAppError } from './to-app-error.ts';

export interface LabelledCounter<L extends string> {
  /** Adds `value` (1 by default; 0 makes the series appear before its first event). */
  inc(labels: Record<L, string>, value?: number): void;
}

export interface Metrics {
  registry: Registry;
  /** A counter in this app's registry (prom-client stays behind this module). */
  counter<L extends string>(name: string, help: string, labelNames: readonly L[]): LabelledCounter<L>;
  middleware: (ctx: Context, next: Next) => Promise<void>;
  handler: (ctx: Context) => Promise<void>;
}

/**
 * What an inner app (oidc-provider's own Koa app, which gets only `req` and `res`) tells the
 * metrics middleware about a request: the endpoint's name, and the dependency whose outage made
 * it a 503.
 */
interface RequestLabels {
  route?: string;
  unavailable?: string;
}
// On the request itself (a symbol nobody else reads): every request of the app takes the same
// shape, cheaper per request than an entry in a WeakMap.
const LABELS = Symbol('metrics labels');
type Labelled = IncomingMessage & { [LABELS]?: RequestLabels };

function labelsOf(req: IncomingMessage): RequestLabels {
  const held = (req as Labelled)[LABELS];
  if (held) return held;
  const fresh: RequestLabels = {};
  (req as Labelled)[LABELS] = fresh;
  return fresh;
}

/** Names the endpoint that served `req` (e.g. oidc-provider's `ctx.oidc.route`: `token`, `jwks`). */
export function labelRoute(req: IncomingMessage, route: string): void {
  labelsOf(req).route = route;
}

/** Records that `req` was refused because `dependency` (`postgres`, `redis`) could not be asked. */
export function markUnavailable(req: IncomingMessage, dependency: string): void {
  labelsOf(req).unavailable = dependency;
}

/**
 * Prometheus metrics for one app: request counts and latency histograms labelled by method,
 * route (the router's matched pattern or an endpoint name given with `labelRoute`, never the raw
 * path: ids would explode the label set) and status; and `dependency_unavailable_total` by
 * dependency, the 503s an outage caused (marked with `markUnavailable` or thrown as a
 * `ServiceUnavailableError` naming its dependency).
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
  const unavailable = new Counter({
    name: 'dependency_unavailable_total',
    help: 'Requests answered 503 because a dependency (postgres, redis, jwks) could not be asked',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  return {
    registry,
    counter(name, help, labelNames) {
      const counter = new Counter({ name, help, labelNames: [...labelNames], registers: [registry] });
      return { inc: (values, value = 1) => counter.inc(values, value) };
    },
    async middleware(ctx, next) {
      const end = duration.startTimer();
      await afterRequest(next, (failure) => {
        // A thrown error has no status on ctx yet (the error handler, outside, sets it): count the
        // status it will get.
        const error = failure === undefined ? undefined : toAppError(failure);
        const status = error ? error.status : ctx.status;
        const marked = (ctx.req as Labelled)[LABELS];
        const dependency =
          marked?.unavailable ?? (error instanceof ServiceUnavailableError ? error.dependency : undefined);
        const values = { method: ctx.method, route: routeOf(ctx, marked?.route), status: String(status) };
        end(values);
        requests.inc(values);
        if (status === 503 && dependency) unavailable.inc({ dependency });
      });
    },
    async handler(ctx) {
      ctx.type = registry.contentType;
      ctx.body = await registry.metrics();
    },
  };
}

function routeOf(ctx: Context, named: string | undefined): string {
  const matched = (ctx as Context & { _matchedRoute?: string | RegExp })._matchedRoute;
  if (typeof matched === 'string') return matched;
  return named ?? 'unmatched';
}
