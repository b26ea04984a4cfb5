import { openApiSchema as jsonSchema, toOpenApiPath, VECTOR_SCOPES } from '@vectorauth/shared';
import type { V1Route } from '../v1/v1-routes.ts';
import type { VectorSchemas } from '../v1/vector-schemas.ts';
import { getATokenSection } from './get-a-token.ts';
import { openApiOperation } from './openapi-operation.ts';

export type OpenApiDocument = Record<string, unknown> & {
  paths: Record<string, Record<string, Record<string, unknown>>>;
};

const API_DESCRIPTION = [
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
].join('\n');

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
    paths[path] ??= {};
    paths[path][route.method] = openApiOperation(route);
  }
  const scopes = Object.fromEntries(Object.entries(VECTOR_SCOPES));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vector API',
      version: '1.0.0',
      description: `${API_DESCRIPTION}\n\n${getATokenSection({ issuer: options.issuer, apiUrl: options.serverUrl })}`,
    },
    servers: [{ url: options.serverUrl }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `RFC 9068 JWT access token from ${options.issuer} with this API as audience, in the Authorization header only. A token bound to a DPoP key (cnf.jkt) is refused here: send it with the dpop scheme.`,
        },
        dpop: {
          type: 'http',
          scheme: 'dpop',
          description:
            'RFC 9449: `Authorization: DPoP <token>` for a token bound to a key (cnf.jkt), with a `DPoP` header holding a fresh proof signed by that key (typ dpop+jwt; htm, htu of this URL without its query, iat within 60 s, a jti used once across every instance, ath the SHA-256 of the token). Proof algorithms: /.well-known/oauth-protected-resource.',
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
