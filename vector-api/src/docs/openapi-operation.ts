import { openApiSchema as jsonSchema } from '@vectorauth/shared';
import type { V1Route } from '../v1/v1-routes.ts';

/** The error answers every operation can give. */
const ERROR_RESPONSES: Record<string, string> = {
  '400': 'Invalid input: the message names each bad field',
  '401':
    'Missing, malformed, expired, revoked or otherwise invalid access token, or a DPoP-bound token without a valid proof (WWW-Authenticate: Bearer and DPoP challenges with resource_metadata; error="invalid_token" or, for the proof, error="invalid_dpop_proof")',
  '403':
    'The token lacks the scope (WWW-Authenticate: error="insufficient_scope" and scope="<the scope needed>", with resource_metadata)',
  '404': "No such collection or vector for this principal (another principal's is a 404 too)",
  '503':
    "A dependency (Postgres, Redis, the authorization server) is unavailable (service_unavailable; retry), or the principal's data key cannot be unwrapped because its master key is not configured (data_key_unavailable; an operator must fix MASTER_KEY)",
};

const STORED_DATA_UNREADABLE =
  'stored_data_unreadable: a stored vector does not authenticate under your data key and its address (tampered with, or copied from another record or principal); it is never answered with other data. Overwrite or delete the vector named in the message.';

/** What a 409 means, for the operations that can answer one (by operationId). */
const CONFLICT_RESPONSES = new Map<string, string>([
  ['createCollection', 'You already have a collection of that name'],
  ['getVector', STORED_DATA_UNREADABLE],
  ['searchCollection', STORED_DATA_UNREADABLE],
  ['countVectors', STORED_DATA_UNREADABLE],
  ['listVectors', STORED_DATA_UNREADABLE],
]);

/** One OpenAPI operation object for `route`: its scope, path parameters, body and responses. */
export function openApiOperation(route: V1Route): Record<string, unknown> {
  const parameters = [...pathParameters(route), ...queryParameters(route)];
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: `Requires the \`${route.scope}\` scope.`,
    security: [{ bearer: [route.scope] }, { dpop: [route.scope] }, { oauth2: [route.scope] }],
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchema(route.body) } },
          },
        }
      : {}),
    responses: operationResponses(route),
  };
}

function pathParameters(route: V1Route): Record<string, unknown>[] {
  if (!route.params) return [];
  const properties = (jsonSchema(route.params).properties ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    in: 'path',
    required: true,
    description: schema.description,
    schema,
  }));
}

function queryParameters(route: V1Route): Record<string, unknown>[] {
  if (!route.query) return [];
  const schema = jsonSchema(route.query);
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    description: property.description,
    schema: property,
  }));
}

function operationResponses(route: V1Route): Record<string, unknown> {
  const responses: Record<string, unknown> = {
    [String(route.status)]: route.response
      ? { description: 'Success', content: { 'application/json': { schema: jsonSchema(route.response) } } }
      : { description: 'Success, no content' },
  };
  for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
    responses[status] = errorResponse(description);
  }
  if (route.body) {
    responses['413'] = errorResponse('The body is too large');
    responses['415'] = errorResponse('The body is not application/json');
  }
  const conflict = CONFLICT_RESPONSES.get(route.operationId);
  if (conflict) responses['409'] = errorResponse(conflict);
  return responses;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});
