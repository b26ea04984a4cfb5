import type Router from '@koa/router';
import { z } from 'zod';

/** A zod schema as the JSON Schema (2020-12, what OpenAPI 3.1 uses) of the input it accepts. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

/** A router path (`/collections/:name`) as an OpenAPI path template (`/collections/{name}`). */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
}

/** One route a router answers: lower-case method (HEAD left out: it follows GET) and full path. */
export interface RouterRoute {
  method: string;
  path: string;
  params: string[];
}

/** Every route of `routers`, as @koa/router registered them (prefixes applied), in order. */
export function routerRoutes(routers: readonly Router[]): RouterRoute[] {
  const routes: RouterRoute[] = [];
  for (const router of routers) {
    for (const layer of router.stack) {
      if (typeof layer.path !== 'string') continue; // regular-expression routes have no template
      const path = layer.path;
      const params = ((layer.paramNames ?? []) as { name: string | number }[]).map((p) => String(p.name));
      for (const method of layer.methods)
        if (method !== 'HEAD') routes.push({ method: method.toLowerCase(), path, params });
    }
  }
  return routes;
}
