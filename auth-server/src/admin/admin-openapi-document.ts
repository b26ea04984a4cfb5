import type Router from '@koa/router';
import { openApiSchema, routerRoutes, toOpenApiPath } from '@vectorauth/shared';
import { ADMIN_ROUTE_DOCS, type AdminRouteDoc } from './admin-route-docs.ts';

export type AdminOpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, Record<string, unknown>>>;
};

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const pathParameters = (params: string[], descriptions: Record<string, string> = {}) =>
  params.map((name) => ({
    name,
    in: 'path',
    required: true,
    description: descriptions[name],
    schema: { type: 'string' },
  }));

function operation(doc: AdminRouteDoc, params: string[]): Record<string, unknown> {
  const parameters: Record<string, unknown>[] = pathParameters(params, doc.params);
  if (doc.query) {
    const query = openApiSchema(doc.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {}))
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
  }
  const responses: Record<string, unknown> = {
    [String(doc.status)]:
      doc.status === 204
        ? { description: doc.response }
        : { description: doc.response, content: { [doc.mediaType ?? 'application/json']: {} } },
  };
  if (!doc.open) {
    if (doc.body || doc.query) responses['400'] = error('Invalid input: the message names each bad field');
    responses['401'] = error('Missing or wrong admin token');
    if (params.length) responses['404'] = error('No such resource');
    if (doc.body) {
      responses['413'] = error('The body is too large (ADMIN_MAX_BODY_BYTES)');
      responses['415'] = error('The body is not application/json');
    }
    for (const [status, description] of Object.entries(doc.errors ?? {}))
      responses[status] = error(description);
    responses['503'] = error('Postgres or Redis is unavailable; retry');
  }
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    security: doc.open ? [] : [{ adminToken: [] }],
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body
      ? {
          requestBody: {
            required: !doc.bodyOptional,
            content: { 'application/json': { schema: openApiSchema(doc.body) } },
          },
        }
      : {}),
    responses,
  };
}

/**
 * OpenAPI 3.1 for the admin port, generated from the routers that serve it (every route they
 * register is in the document) and the zod schemas the routes validate with. A route without an
 * entry in ADMIN_ROUTE_DOCS appears as `x-undocumented`, which its test refuses.
 */
export function createAdminOpenApiDocument(
  routers: readonly Router[],
  docs: Record<string, AdminRouteDoc> = ADMIN_ROUTE_DOCS,
): AdminOpenApiDocument {
  const paths: AdminOpenApiDocument['paths'] = {};
  for (const route of routerRoutes(routers)) {
    const doc = docs[`${route.method} ${route.path}`];
    const path = toOpenApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method] = doc
      ? operation(doc, route.params)
      : {
          'x-undocumented': true,
          parameters: pathParameters(route.params),
          responses: { default: { description: 'Undocumented' } },
        };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Auth server admin API',
      version: '1.0.0',
      description: [
        'The operator surface of the authorization server: clients, initial access tokens, signing keys,',
        'users, revocations and the audit trail. Served on its own port (ADMIN_HOST:ADMIN_PORT, loopback by',
        'default), never on the public one. Every route but health, metrics and this document needs',
        '`Authorization: Bearer <ADMIN_TOKEN>`.',
        '',
        'Errors are `{"error": "<machine_code>", "message": "<human sentence>"}`.',
      ].join('\n'),
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN of the deployment' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'message'],
          properties: {
            error: { type: 'string', description: 'A stable machine code' },
            message: { type: 'string', description: 'A human sentence' },
          },
        },
      },
    },
    paths,
  };
}
