import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { createRevocationStore } from '../../../../shared/src/auth/revocation-store.ts';
import { createDpopKey } from '../../../../shared/test/support/dpop-key.ts';
import { expectLogLines } from '../../../../shared/test/support/expected-log-lines.ts';
import { type Harness, startHarness } from '../../support/vector-api-harness.ts';

type ToolResult = { isError?: boolean; content: { type: string; text: string }[] };
const parsed = (result: unknown) => JSON.parse((result as ToolResult).content[0]?.text ?? 'null');

/** The vector API as an MCP server (Streamable HTTP), driven by the official SDK's client. */
describe('vector-api /mcp: the collections as MCP tools, same scopes, limits and isolation', () => {
  expectLogLines([
    { service: 'vector-api', level: 'warn', msg: 'permission denied' },
    { service: 'vector-api', level: 'warn', msg: 'rate limit hit' },
  ]);
  let h: Harness;
  let redis: Redis;
  before(async () => {
    h = await startHarness();
    redis = new Redis(h.env.REDIS_URL as string);
  });
  after(async () => {
    await redis?.quit();
    await h?.close();
  });

  async function connect(token: string): Promise<Client> {
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    await client.connect(transport);
    return client;
  }
  const rpc = (token: string | undefined, body: unknown) =>
    fetch(`${h.url}/mcp`, {
      method: 'POST',
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify(body),
    });

  it('an unauthenticated call gets the 401 challenge that leads to the authorization server', async () => {
    const res = await rpc(undefined, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(res.status).to.equal(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).to.match(
      /^Bearer realm="vector-api", resource_metadata="[^"]+\/\.well-known\/oauth-protected-resource"/,
    );
  });

  it('lists the tools with their input schemas', async () => {
    const client = await connect(await h.token());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).to.have.members([
      'list_collections',
      'create_collection',
      'get_collection',
      'delete_collection',
      'upsert_vectors',
      'search',
      'get_vector',
      'delete_vector',
    ]);
    const search = tools.find((t) => t.name === 'search');
    expect(search?.inputSchema.required).to.include.members(['name', 'k']);
    expect(search?.description).to.contain('vectors:read');
    await client.close();
  });

  it('creates, fills, searches, reads and deletes through tools, as the REST API does', async () => {
    const token = await h.token();
    const client = await connect(token);
    const created = await client.callTool({
      name: 'create_collection',
      arguments: { name: 'memory', dimension: 3, metric: 'l2' },
    });
    expect(parsed(created)).to.include({ name: 'memory', dimension: 3 });
    await client.callTool({
      name: 'upsert_vectors',
      arguments: {
        name: 'memory',
        vectors: [
          { id: 'a', vector: [1, 0, 0], metadata: { note: 'likes tea' } },
          { id: 'b', vector: [0, 1, 0], metadata: { note: 'lives in Lyon' } },
        ],
      },
    });
    const found = parsed(
      await client.callTool({ name: 'search', arguments: { name: 'memory', vector: [0.9, 0.1, 0], k: 1 } }),
    );
    expect(found.results).to.deep.equal([
      { id: 'a', score: found.results[0].score, metadata: { note: 'likes tea' } },
    ]);
    const rest = await h.call('GET', '/v1/collections/memory/vectors/b', { token });
    expect(rest.body.metadata).to.deep.equal({ note: 'lives in Lyon' });
    expect(
      parsed(await client.callTool({ name: 'get_vector', arguments: { name: 'memory', id: 'b' } })),
    ).to.deep.include({
      id: 'b',
      metadata: { note: 'lives in Lyon' },
    });
    await client.callTool({ name: 'delete_vector', arguments: { name: 'memory', id: 'b' } });
    expect((await h.call('GET', '/v1/collections/memory/vectors/b', { token })).status).to.equal(404);
    await client.close();
  });

  it('answers a bad argument, a missing collection or a conflict as a tool error in the REST words', async () => {
    const client = await connect(await h.token());
    const bad = (await client.callTool({
      name: 'create_collection',
      arguments: { name: 'x', dimension: 0 },
    })) as ToolResult;
    expect(bad.isError).to.equal(true);
    expect(parsed(bad).error).to.equal('invalid_request');
    const missing = (await client.callTool({
      name: 'search',
      arguments: { name: 'nope', vector: [1], k: 1 },
    })) as ToolResult;
    expect(parsed(missing).error).to.equal('not_found');
    await client.callTool({
      name: 'create_collection',
      arguments: { name: 'twice', dimension: 2, metric: 'l2' },
    });
    const again = (await client.callTool({
      name: 'create_collection',
      arguments: { name: 'twice', dimension: 2, metric: 'l2' },
    })) as ToolResult;
    expect(parsed(again).error).to.equal('conflict');
    await client.close();
  });

  it("never shows one principal's collections to another", async () => {
    const owner = await connect(await h.token());
    await owner.callTool({
      name: 'create_collection',
      arguments: { name: 'private', dimension: 2, metric: 'l2' },
    });
    const other = await connect(await h.token());
    expect(
      parsed(await other.callTool({ name: 'list_collections', arguments: {} })).collections,
    ).to.deep.equal([]);
    expect(
      parsed(await other.callTool({ name: 'get_collection', arguments: { name: 'private' } })).error,
    ).to.equal('not_found');
    await owner.close();
    await other.close();
  });

  it('refuses a tool whose scope the token lacks with a 403 naming the scope (step-up), before it runs', async () => {
    const token = await h.token({ scope: 'vectors:read' });
    const res = await rpc(token, {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'create_collection', arguments: { name: 'nope', dimension: 2, metric: 'l2' } },
    });
    expect(res.status).to.equal(403);
    expect(res.headers.get('www-authenticate')).to.match(/error="insufficient_scope".*scope="vectors:write"/);
    const list = await h.call('GET', '/v1/collections', { token });
    expect(list.body.collections).to.deep.equal([]);
  });

  it('refuses a revoked token on its next call', async () => {
    const token = await h.token();
    const client = await connect(token);
    await client.listTools();
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
    await createRevocationStore(redis).revokeToken(claims.jti, claims.exp);
    const err = await client.listTools().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.match(/401|revoked|Unauthorized/i);
    await client.close().catch(() => undefined);
  });

  it('refuses a JSON-RPC batch: one message, one counted request', async () => {
    const call = (id: number) => ({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'list_collections', arguments: {} },
    });
    const res = await rpc(await h.token(), [call(1), call(2), call(3)]);
    expect(res.status).to.equal(400);
    expect(((await res.json()) as { error: string }).error).to.equal('invalid_request');
  });

  it("counts a tool call against its own scope's limit, as its REST route", async () => {
    const limited = await startHarness({ VECTOR_RATE_LIMIT_SCOPES: 'vectors:write=2' }, { issuer: h.issuer });
    try {
      const token = await h.token();
      const create = (name: string) =>
        fetch(`${limited.url}/mcp`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            accept: 'application/json, text/event-stream',
          },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'tools/call',
            params: { name: 'create_collection', arguments: { name, dimension: 2, metric: 'l2' } },
          }),
        });
      expect((await create('a')).status).to.equal(200);
      expect((await create('b')).status).to.equal(200);
      const third = await create('c');
      expect(third.status).to.equal(429);
      expect(third.headers.get('retry-after')).to.be.a('string');
    } finally {
      await limited.close();
    }
  });

  it('takes a DPoP-bound token with its proof, and refuses it without one', async () => {
    const key = await createDpopKey();
    const token = await h.token({ cnf: { jkt: key.jkt } });
    const call = async (withProof: boolean) =>
      fetch(`${h.url}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `${withProof ? 'DPoP' : 'Bearer'} ${token}`,
          ...(withProof
            ? {
                dpop: await key.proof({
                  method: 'POST',
                  url: `${h.env.VECTOR_API_URL}/mcp`,
                  accessToken: token,
                }),
              }
            : {}),
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
    expect((await call(true)).status).to.equal(200);
    expect((await call(false)).status).to.equal(401);
  });

  it('answers GET /mcp (no server-initiated stream) with 405', async () => {
    const res = await fetch(`${h.url}/mcp`, { headers: { authorization: `Bearer ${await h.token()}` } });
    expect(res.status).to.equal(405);
  });
});
