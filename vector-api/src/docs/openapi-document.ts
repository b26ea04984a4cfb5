import { openApiSchema as jsonSchema, toOpenApiPath, VECTOR_SCOPES } from '@vectorauth/shared';
import type { V1Route } from '../v1/v1-routes.ts';
import type { VectorSchemas } from '../v1/vector-schemas.ts';

export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, Record<string, unknown>>>;
};

const ERROR_RESPONSES: Record<string, string> = {
  '400': 'Invalid input: the message names each bad field',
  '401':
    'Missing, malformed, expired or otherwise invalid access token (WWW-Authenticate: Bearer error="invalid_token")',
  '403': 'The token lacks the scope (WWW-Authenticate: Bearer error="insufficient_scope")',
  '404': "No such collection or vector for this principal (another principal's is a 404 too)",
  '503':
    "A dependency (Postgres, Redis, the authorization server) is unavailable (service_unavailable; retry), or the principal's data key cannot be unwrapped because its master key is not configured (data_key_unavailable; an operator must fix MASTER_KEY)",
};

/**
 * OpenAPI 3.1 for Vector API v1, generated from the same route table and zod schemas that route
 * and validate requests.
 */
export function createOpenApiDocument(options: {
  serverUrl: string;
  issuer: string;
  routes: readonly V1Route[];
  schemas: VectorSchemas;
}): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of options.routes) {
    const path = toOpenApiPath(route.path);
    const parameters = route.params
      ? Object.entries(
          (jsonSchema(route.params).properties ?? {}) as Record<string, Record<string, unknown>>,
        ).map(([name, schema]) => ({
          name,
          in: 'path',
          required: true,
          description: schema.description,
          schema,
        }))
      : [];
    const responses: Record<string, unknown> = {
      [String(route.status)]: route.response
        ? { description: 'Success', content: { 'application/json': { schema: jsonSchema(route.response) } } }
        : { description: 'Success, no content' },
    };
    for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
      responses[status] = {
        description,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    if (route.body) {
      responses['413'] = {
        description: 'The body is too large',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
      responses['415'] = {
        description: 'The body is not application/json',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    if (route.operationId === 'createCollection') {
      responses['409'] = {
        description: 'You already have a collection of that name',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    if (route.operationId === 'getVector' || route.operationId === 'searchCollection') {
      responses['409'] = {
        description:
          'stored_data_unreadable: a stored vector does not authenticate under your data key and its address (tampered with, or copied from another record or principal); it is never answered with other data. Overwrite or delete the vector named in the message.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    paths[path] ??= {};
    paths[path][route.method] = {
      operationId: route.operationId,
      summary: route.summary,
      description: `Requires the \`${route.scope}\` scope.`,
      security: [{ bearer: [route.scope] }, { oauth2: [route.scope] }],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body) } },
            },
          }
        : {}),
      responses,
    };
  }
  const scopes = Object.fromEntries(Object.entries(VECTOR_SCOPES));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vector API',
      version: '1.0.0',
      description: [
        'Per-principal collections of vectors with nearest-neighbour search. The principal is the `sub` of the',
        'access token; nobody else can see your collections.',
        '',
        'Search `score` by metric: `l2` is the squared Euclidean distance (lower is better); `ip` is the inner',
        'product (higher is better); `cosine` is the cosine similarity in [-1, 1] (higher is better; vectors',
        'are normalized on insert and query, and a zero vector is refused).',
        '',
        'Vectors, metadata and index snapshots are stored encrypted (AES-256-GCM) under a data key of your own,',
        'wrapped by the service master key; deleting a principal destroys that key first (crypto-shredding).',
        '',
        'Errors are `{"error": "<machine_code>", "message": "<human sentence>"}`.',
      ].join('\n'),
    },
    servers: [{ url: options.serverUrl }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `RFC 9068 JWT access token from ${options.issuer} with this API as audience, in the Authorization header only.`,
        },
        oauth2: {
          type: 'oauth2',
          flows: {
            authorizationCode: {
              authorizationUrl: `${options.issuer}/auth`,
              tokenUrl: `${options.issuer}/token`,
              scopes,
            },
            clientCredentials: { tokenUrl: `${options.issuer}/token`, scopes },
          },
        },
      },
      schemas: { Error: jsonSchema(options.schemas.error) },
    },
    paths,
  };
}
