import { openApiSchema, type VectorScope } from '@vectorauth/shared';
import type { V1Route } from '../v1/v1-routes.ts';
import type { V1Context, VectorState } from '../v1/vector-state.ts';

/** One MCP tool: a v1 route, its arguments split into the route's path parameters and body. */
export interface McpTool {
  name: string;
  description: string;
  scope: VectorScope;
  inputSchema: { type: 'object'; properties: Record<string, unknown>; required: string[] };
  /** Runs the route's own handler (validation, quotas, encryption, isolation) on these arguments. */
  call(state: VectorState, args: Record<string, unknown>): Promise<unknown>;
}

/** Which route each tool runs, and which of its arguments are path parameters (the rest is the body). */
const TOOLS: { name: string; operationId: string; description: string; params: string[] }[] = [
  {
    name: 'list_collections',
    operationId: 'listCollections',
    description: 'List your vector collections (name, dimension, metric, index, count).',
    params: [],
  },
  {
    name: 'create_collection',
    operationId: 'createCollection',
    description: 'Create a collection of vectors of one dimension and metric.',
    params: [],
  },
  {
    name: 'get_collection',
    operationId: 'getCollection',
    description: 'Describe one collection.',
    params: ['name'],
  },
  {
    name: 'delete_collection',
    operationId: 'deleteCollection',
    description: 'Delete a collection and every vector in it.',
    params: ['name'],
  },
  {
    name: 'upsert_vectors',
    operationId: 'upsertVectors',
    description: 'Insert or replace vectors (id, values, optional metadata) in a collection, all or nothing.',
    params: ['name'],
  },
  {
    name: 'search',
    operationId: 'searchCollection',
    description:
      'The k nearest vectors of a collection to a query vector (or several queries), best first, optionally within a metadata filter.',
    params: ['name'],
  },
  {
    name: 'get_vector',
    operationId: 'getVector',
    description: 'One vector of a collection by id, with its metadata and values.',
    params: ['name', 'id'],
  },
  {
    name: 'delete_vector',
    operationId: 'deleteVector',
    description: 'Delete one vector of a collection by id.',
    params: ['name', 'id'],
  },
];

const PARAM_SCHEMAS: Record<string, { type: 'string'; description: string }> = {
  name: { type: 'string', description: 'The collection name.' },
  id: { type: 'string', description: 'The vector id.' },
};

/**
 * The vector API's routes as MCP tools. A tool call runs the route's handler with a context of
 * its own (the request's verified token and repositories, the arguments as path parameters and
 * body), so a tool checks, stores and answers exactly as the REST route does.
 */
export function createMcpTools(routes: readonly V1Route[]): McpTool[] {
  return TOOLS.map((tool) => {
    const route = routes.find((r) => r.operationId === tool.operationId);
    if (!route) throw new TypeError(`no route ${tool.operationId} for the MCP tool ${tool.name}`);
    const body = route.body
      ? (openApiSchema(route.body) as { properties?: Record<string, unknown>; required?: string[] })
      : {};
    return {
      name: tool.name,
      description: `${tool.description} Needs the ${route.scope} scope.`,
      scope: route.scope,
      inputSchema: {
        type: 'object',
        properties: {
          ...Object.fromEntries(tool.params.map((p) => [p, PARAM_SCHEMAS[p]])),
          ...body.properties,
        },
        required: [...tool.params, ...(body.required ?? [])],
      },
      async call(state, args) {
        const params: Record<string, string> = {};
        const rest: Record<string, unknown> = { ...args };
        for (const p of tool.params) {
          params[p] = typeof args[p] === 'string' ? args[p] : '';
          delete rest[p];
        }
        const ctx = toolContext(state, params, route.body ? rest : undefined);
        await route.handler(ctx);
        return ctx.body ?? { deleted: true };
      },
    };
  });
}

/** What a v1 handler reads and writes of its Koa context, for one tool call. */
function toolContext(state: VectorState, params: Record<string, string>, body: unknown): V1Context {
  const ctx = {
    state,
    params,
    query: {},
    request: { body },
    body: undefined as unknown,
    status: 200,
    set: () => undefined,
  };
  return ctx as unknown as V1Context;
}
