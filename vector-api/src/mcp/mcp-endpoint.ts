import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { InvalidRequestError, type Logger, toAppError } from '@vectorauth/shared';
import type { V1Context } from '../v1/vector-state.ts';
import type { McpTool } from './mcp-tools.ts';

const SERVER_INFO = { name: 'vectorauth-vector-api', version: '1.0.0' };

/** The tools a JSON-RPC payload (one message or a batch) calls, by name. */
export function calledTools(payload: unknown): string[] {
  return [payload]
    .flat()
    .filter((m): m is { method: string; params?: { name?: unknown } } => typeof m === 'object' && m !== null)
    .filter((m) => m.method === 'tools/call' && typeof m.params?.name === 'string')
    .map((m) => m.params?.name as string);
}

/**
 * `POST /mcp`: MCP over Streamable HTTP (the official SDK's transport, stateless, JSON answers),
 * after the v1 chain has verified the token, checked it in Redis and parsed the body. Each call
 * runs with this request's principal and repositories; a tool whose scope the token lacks is
 * refused before anything runs, with `refuseScope`'s 403 challenge naming that scope, so the
 * client can step up. A tool's own refusal (a bad argument, a missing collection, a quota) is a
 * tool result with `isError`, its text the REST API's `{error, message}`.
 */
export function createMcpEndpoint(deps: {
  tools: readonly McpTool[];
  logger: Logger;
  /** The 403 for a missing scope, with the resource's challenges. */
  refuseScope: (ctx: V1Context, scope: string) => Error;
  /** The URL the client addressed (the transport reads it as a Request). */
  requestUrl: (ctx: V1Context) => string;
  /**
   * Counts this request against the principal's limit of `scope` too (429 when spent): the v1
   * chain counted `/mcp` under the first vector scope of the token, and a tool of another scope
   * must spend that scope's limit, as its REST route does.
   */
  countUnder: (ctx: V1Context, scope: string) => Promise<void>;
  /** The scope the v1 chain counted this request under. */
  countedScope: (ctx: V1Context) => string;
}) {
  const byName = new Map(deps.tools.map((t) => [t.name, t]));
  const listed = deps.tools.map(({ name, description, inputSchema }) => ({ name, description, inputSchema }));

  async function call(ctx: V1Context, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
    const tool = byName.get(name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `there is no tool named "${name}"`);
    try {
      const result = await tool.call(ctx.state, args);
      return { content: [{ type: 'text', text: JSON.stringify(result) }] };
    } catch (err) {
      const appError = toAppError(err);
      if (appError.status >= 500 && appError.code === 'internal_error') {
        deps.logger.error({ err, requestId: ctx.state.requestId, tool: name }, 'MCP tool failed');
      }
      const answer = { error: appError.code, message: appError.expose ? appError.message : 'internal error' };
      return { isError: true, content: [{ type: 'text', text: JSON.stringify(answer) }] };
    }
  }

  return async function mcp(ctx: V1Context): Promise<void> {
    const payload = ctx.request.body;
    // One message per request (MCP has had no batches since 2025-06-18): each tool call is counted.
    if (Array.isArray(payload))
      throw new InvalidRequestError('send one JSON-RPC message per request; batches are not accepted');
    for (const name of calledTools(payload)) {
      const scope = byName.get(name)?.scope;
      if (scope && !ctx.state.token.scopes.has(scope)) throw deps.refuseScope(ctx, scope);
      if (scope && scope !== deps.countedScope(ctx)) await deps.countUnder(ctx, scope);
    }
    const server = new Server(SERVER_INFO, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listed }));
    server.setRequestHandler(CallToolRequestSchema, (request) =>
      call(ctx, request.params.name, (request.params.arguments ?? {}) as Record<string, unknown>),
    );
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    try {
      await server.connect(transport);
      const headers = new Headers();
      for (const [key, value] of Object.entries(ctx.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const response = await transport.handleRequest(
        new Request(deps.requestUrl(ctx), { method: 'POST', headers }),
        { parsedBody: payload },
      );
      ctx.status = response.status;
      response.headers.forEach((value, key) => {
        ctx.set(key, value);
      });
      const text = await response.text();
      if (text) ctx.body = text;
    } finally {
      await server.close();
    }
  };
}
