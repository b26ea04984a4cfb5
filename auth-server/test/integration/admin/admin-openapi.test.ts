import { expect } from 'chai';
import { ADMIN_ROUTE_DOCS } from '../../../src/admin/admin-route-docs.ts';
import { openApi31Problems } from '../../support/openapi-shape.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

type Operation = Record<string, unknown> & { operationId?: string; security?: unknown[] };
type Doc = { paths: Record<string, Record<string, Operation>> };

describe('admin API OpenAPI document', () => {
  const stack = useAuthStack();
  let doc: Doc;
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ method, path, op })),
    );

  before(async () => {
    const res = await fetch(`${stack.server.adminUrl}/admin/openapi.json`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    doc = (await res.json()) as Doc;
  });

  it('is valid OpenAPI 3.1 in shape', () => {
    expect(openApi31Problems(doc)).to.deep.equal([]);
  });

  it('documents every route the admin routers serve (a new route without docs fails here)', () => {
    // The document is generated from the live routers: an undocumented route shows up flagged.
    const undocumented = operations()
      .filter(({ op }) => op['x-undocumented'] || typeof op.summary !== 'string' || !op.operationId)
      .map(({ method, path }) => `${method} ${path}`);
    expect(undocumented, 'add them to ADMIN_ROUTE_DOCS').to.deep.equal([]);
    // And every entry of the docs table is a route that exists.
    const served = new Set(operations().map(({ method, path }) => `${method} ${path}`));
    for (const key of Object.keys(ADMIN_ROUTE_DOCS)) {
      const [method, path] = key.split(' ') as [string, string];
      expect(served, `${key} is documented but not served`).to.include(
        `${method} ${path.replace(/:([A-Za-z_]+)/g, '{$1}')}`,
      );
    }
    for (const expected of [
      'post /admin/clients',
      'delete /admin/clients/{id}',
      'post /admin/initial-access-tokens',
      'post /admin/keys/{kid}/revoke',
      'get /admin/users',
      'post /admin/revocations/replay',
      'get /admin/audit',
    ])
      expect(served).to.include(expected);
  });

  it('answers on every documented operation (no documented route is missing)', async () => {
    for (const { method, path } of operations()) {
      const url = path.replace(/\{[^}]+\}/g, 'probe-0000');
      const res = await stack.server.admin(
        method.toUpperCase(),
        url,
        method === 'get' || method === 'delete' ? undefined : { probe: true },
      );
      const body = await res.text();
      expect(res.status, `${method} ${path}: ${body}`).to.not.equal(405);
      expect(res.status >= 500, `${method} ${path}: ${body}`).to.equal(false);
      expect(body, `${method} ${path} is routed`).not.to.contain('"message":"not found"');
    }
  });

  it('describes bodies and queries with the schemas that validate them', () => {
    const create = doc.paths['/admin/clients']!.post as {
      requestBody: {
        content: {
          'application/json': {
            schema: { properties: Record<string, unknown>; additionalProperties: unknown };
          };
        };
      };
    };
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.properties).to.include.keys('client_name', 'redirect_uris', 'first_party');
    expect(schema.additionalProperties).to.equal(false);
    const users = doc.paths['/admin/users']!.get as { parameters: { name: string; in: string }[] };
    expect(users.parameters.map((p) => `${p.in}:${p.name}`)).to.include.members([
      'query:offset',
      'query:limit',
    ]);
    const audit = doc.paths['/admin/audit']!.get as { parameters: { name: string }[] };
    expect(audit.parameters.map((p) => p.name)).to.include.members(['action', 'since', 'before', 'limit']);
  });

  it('needs the admin token everywhere but health, metrics, itself and its reference page', () => {
    for (const { method, path, op } of operations()) {
      const open = [
        '/healthz',
        '/metrics',
        '/admin/openapi.json',
        '/admin/docs',
        '/admin/docs/assets/{name}',
      ].includes(path);
      expect(op.security, `${method} ${path}`).to.deep.equal(open ? [] : [{ adminToken: [] }]);
    }
  });

  it('is never served on the public port', async () => {
    for (const path of ['/admin/openapi.json', '/openapi.json']) {
      const res = await fetch(`${stack.server.issuer}${path}`);
      expect(res.status, path).to.equal(404);
    }
  });
});
