import { expect } from 'chai';
import { apiReferenceSuite } from '../../../../shared/test/support/api-reference-suite.ts';
import { useAuthStack } from '../../support/use-auth-stack.ts';

describe('admin API /admin/docs: the API reference, on the admin port', () => {
  const stack = useAuthStack();

  apiReferenceSuite({
    origin: () => stack.server.adminUrl,
    path: '/admin/docs',
    openApiPath: '/admin/openapi.json',
  });

  it('is served without the admin token, and never on the public port', async () => {
    expect((await fetch(`${stack.server.adminUrl}/admin/docs`)).status).to.equal(200);
    for (const path of ['/admin/docs', '/docs']) {
      const res = await fetch(`${stack.server.issuer}${path}`, { headers: { accept: 'application/json' } });
      expect(res.status, path).to.equal(404);
    }
  });
});
