import type { z } from 'zod';
import { clientMetadataSchema } from '../clients/client-metadata-schema.ts';
import { leakedKeySchema as leakedKey } from './api-key-routes.ts';
import { querySchema as auditQuery } from './audit-routes.ts';
import { patchSchema as clientPatch, rotateSchema as secretRotation } from './client-routes.ts';
import { createSchema as initialAccessToken } from './initial-access-token-routes.ts';
import { rotateSchema as keyRotation } from './key-routes.ts';
import { pageQuery } from './user-routes.ts';

/** What the OpenAPI document says about one admin-port route (the router says that it exists). */
export interface AdminRouteDoc {
  operationId: string;
  summary: string;
  description?: string;
  /** The success status and what its answer carries. */
  status: number;
  response: string;
  /** The zod schemas that validate the request (the same objects the route parses with). */
  body?: z.ZodType;
  bodyOptional?: boolean;
  query?: z.ZodType;
  /** Path parameters, by name. */
  params?: Record<string, string>;
  /** Further error answers of this route, by status. */
  errors?: Record<string, string>;
  /** Answered without the admin token (health, metrics, this document). */
  open?: boolean;
  /** The success answer's media type when it is not JSON. */
  mediaType?: string;
}

const KEY_CHANGE =
  'Committed to Postgres, applied on this instance at once and announced to the others through Redis.';

/** Every route of the admin port, keyed `<method> <router path>`. A route missing here fails its test. */
export const ADMIN_ROUTE_DOCS: Record<string, AdminRouteDoc> = {
  'get /healthz': {
    operationId: 'health',
    summary: 'Liveness',
    status: 200,
    response: '`{"status":"ok"}` while the process serves requests',
    open: true,
  },
  'get /metrics': {
    operationId: 'metrics',
    summary: 'Prometheus metrics of this instance',
    status: 200,
    response: 'Prometheus text exposition format',
    open: true,
    mediaType: 'text/plain',
  },
  'get /admin/openapi.json': {
    operationId: 'openApiDocument',
    summary: 'This document',
    description: 'Served without the admin token: it describes the API, and holds no data or secret.',
    status: 200,
    response: 'OpenAPI 3.1 document of the admin API',
    open: true,
  },
  'get /admin/docs': {
    operationId: 'apiReference',
    summary: 'This document as an interactive reference',
    description:
      'An HTML page rendering `/admin/openapi.json` with swagger-ui, served from this port (no CDN). Served without the admin token; "Try it out" needs it (Authorize).',
    status: 200,
    response: 'The reference page',
    open: true,
    mediaType: 'text/html',
  },
  'get /admin/docs/assets/:name': {
    operationId: 'apiReferenceAsset',
    summary: 'A script or stylesheet of the reference page',
    description:
      'Only the names the page links to (each carries a hash of its content, and is cached for a year); any other name is a 404.',
    status: 200,
    response: 'The script (text/javascript) or stylesheet (text/css)',
    params: { name: 'The file name the page links to' },
    open: true,
    mediaType: 'text/javascript',
  },
  'post /admin/clients': {
    operationId: 'createClient',
    summary: 'Register a client',
    description:
      'RFC 7591 client metadata plus `first_party`, held to the same policy as dynamic registration and the developer console. Anything else is refused with `invalid_client_metadata` (or `invalid_redirect_uri`).',
    status: 201,
    response: 'The client, with its `client_secret` (confidential clients) shown this once',
    body: clientMetadataSchema,
  },
  'get /admin/clients': {
    operationId: 'listClients',
    summary: 'List clients',
    status: 200,
    response: '`{"clients": [...]}`, never a secret',
  },
  'get /admin/clients/:id': {
    operationId: 'getClient',
    summary: 'Read a client',
    status: 200,
    response: 'The client metadata, never the secret',
    params: { id: 'client_id' },
  },
  'patch /admin/clients/:id': {
    operationId: 'updateClient',
    summary: 'Mark a client first-party (no consent screen) or not',
    status: 200,
    response: 'The updated client',
    body: clientPatch,
    params: { id: 'client_id' },
  },
  'post /admin/clients/:id/secret': {
    operationId: 'rotateClientSecret',
    summary: 'Rotate the client secret',
    description: 'With `revoke_tokens`, every grant and token of the client dies with the old secret.',
    status: 200,
    response: '`{"client_id", "client_secret"}`: the new secret, shown this once',
    body: secretRotation,
    bodyOptional: true,
    params: { id: 'client_id' },
  },
  'delete /admin/clients/:id': {
    operationId: 'deleteClient',
    summary: 'Delete a client, its grants and tokens',
    description: 'Its JWT access tokens are refused by resource servers from the next request on.',
    status: 204,
    response: 'Deleted',
    params: { id: 'client_id' },
  },
  'post /admin/initial-access-tokens': {
    operationId: 'createInitialAccessToken',
    summary: 'Issue an RFC 7591 initial access token',
    status: 201,
    response: '`{"initial_access_token", "expires_in", "registration_endpoint"}`',
    body: initialAccessToken,
    bodyOptional: true,
  },
  'get /admin/keys': {
    operationId: 'listKeys',
    summary: 'List signing keys and their lifecycle state',
    status: 200,
    response: '`{"keys": [...]}`, public parts only',
  },
  'post /admin/keys/rotate': {
    operationId: 'stageKey',
    summary: 'Stage a new `next` signing key (published, not yet signing)',
    description: KEY_CHANGE,
    status: 201,
    response: '`{"key"}`',
    body: keyRotation,
    bodyOptional: true,
  },
  'post /admin/keys/:kid/promote': {
    operationId: 'promoteKey',
    summary: 'Promote the `next` key to `current`; the previous `current` retires',
    description: KEY_CHANGE,
    status: 200,
    response: '`{"current", "retired"}`',
    params: { kid: 'key id' },
    errors: { '409': 'The key is not `next`' },
  },
  'post /admin/keys/:kid/retire': {
    operationId: 'retireKey',
    summary: 'Withdraw a staged `next` key',
    description: KEY_CHANGE,
    status: 200,
    response: '`{"key"}`',
    params: { kid: 'key id' },
    errors: { '409': 'The key is not `next`' },
  },
  'post /admin/keys/:kid/revoke': {
    operationId: 'revokeKey',
    summary: 'Emergency: unpublish a key at once and have resource servers refuse its tokens',
    description: `${KEY_CHANGE} Revoking the current key puts a replacement in its place.`,
    status: 200,
    response: '`{"revoked", "current"}`',
    params: { kid: 'key id' },
    errors: { '409': 'The key cannot be revoked in its state' },
  },
  'get /admin/users': {
    operationId: 'listUsers',
    summary: 'List users (paged)',
    status: 200,
    response: '`{"users": [...], "total", "offset", "limit"}`',
    query: pageQuery,
  },
  'post /admin/users/:id/disable': {
    operationId: 'disableUser',
    summary: 'Disable a user: sessions, grants and tokens end',
    status: 204,
    response: 'Disabled',
    params: { id: 'user id' },
  },
  'delete /admin/users/:id': {
    operationId: 'deleteUser',
    summary: 'Delete a user; resource servers destroy their data (crypto-shredding)',
    status: 204,
    response: 'Deleted',
    params: { id: 'user id' },
  },
  'post /admin/revocations/replay': {
    operationId: 'replayRevocations',
    summary: "Rebuild Redis's revocation list from Postgres (after Redis lost data)",
    status: 200,
    response: '`{"replayed": <count>}`',
  },
  'post /admin/api-keys/revoke': {
    operationId: 'revokeLeakedApiKey',
    summary: 'Revoke a leaked API key, whoever owns it',
    description:
      'For a key a secret scanner reported (found by its `vak_` prefix and checksum): refused at every resource server on its next request, its owner sees it revoked.',
    status: 200,
    response: '`{"revoked": true, "id", "owner_kind": "account"|"client", "owner"}`',
    body: leakedKey,
    errors: { '404': 'No live key has this value (unknown, revoked or expired)' },
  },
  'post /admin/api-keys/republish': {
    operationId: 'republishApiKeys',
    summary: 'Publish every live API key into Redis again (after Redis lost data)',
    status: 200,
    response: '`{"published": <count>}`',
  },
  'get /admin/audit': {
    operationId: 'listAuditEvents',
    summary: 'The audit trail, newest first, filtered and paged',
    status: 200,
    response: '`{"events": [...], "next_before"}` (pass `next_before` as `before` for the next page)',
    query: auditQuery,
  },
};
