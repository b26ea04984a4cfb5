import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { walkthrough } from '../../../scripts/lib/walkthrough.ts';
import { type SpawnedStack, useSpawnedStack } from '../support/spawned-stack.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');

describe('e2e: the README walkthrough against both services as processes', function () {
  this.timeout(120_000);
  const spawned = useSpawnedStack();

  it('creates an M2M client, gets a token, creates a collection, upserts and searches', async () => {
    const script = walkthrough({
      issuer: spawned.stack.issuer,
      adminUrl: spawned.stack.adminUrl,
      vectorUrl: spawned.stack.vectorUrl,
    });
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: ROOT,
      env: { ...spawned.stack.env, ADMIN_URL: spawned.stack.adminUrl },
    });
    const lines = stdout.trim().split('\n');
    const [created, upserted, searched] = lines.slice(-3).map((l) => JSON.parse(l));
    expect(created).to.include({ name: 'docs', dimension: 3, metric: 'cosine' });
    expect(upserted).to.not.have.property('error');
    const results = (searched as { results: { id: string; score: number; metadata: unknown }[] }).results;
    expect(results.map((r) => r.id)).to.deep.equal(['a', 'b']);
    expect(results[0]!.metadata).to.deep.equal({ title: 'first' });
    expect(results[0]!.score).to.be.closeTo(0.9 / Math.hypot(0.9, 0.1), 1e-5);
  });

  it('keeps acknowledged vectors when the vector API process restarts', async () => {
    const token = await m2mToken(spawned.stack);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await fetch(`${spawned.stack.vectorUrl}/v1/collections`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'durable', dimension: 2, metric: 'l2' }),
    });
    const put = await fetch(`${spawned.stack.vectorUrl}/v1/collections/durable/vectors`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({
        vectors: [
          { id: 'x', vector: [1, 2] },
          { id: 'y', vector: [3, 4] },
        ],
      }),
    });
    expect(put.status).to.be.oneOf([200, 201, 204]);
    await spawned.stack.restart('vector');
    const res = await fetch(`${spawned.stack.vectorUrl}/v1/collections/durable/search`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ vector: [1, 2], k: 2 }),
    });
    const { results } = (await res.json()) as { results: { id: string; score: number }[] };
    expect(results.map((r) => [r.id, r.score])).to.deep.equal([
      ['x', 0],
      ['y', 8],
    ]);
  });
});

async function m2mToken(stack: SpawnedStack): Promise<string> {
  const adminToken = stack.adminToken;
  const created = await fetch(`${stack.adminUrl}/admin/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'e2e',
      grant_types: ['client_credentials'],
      scope: 'vectors:read vectors:write',
    }),
  });
  const { client_id, client_secret } = (await created.json()) as { client_id: string; client_secret: string };
  const res = await fetch(`${stack.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'vectors:read vectors:write' }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
