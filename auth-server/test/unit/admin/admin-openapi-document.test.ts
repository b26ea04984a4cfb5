import Router from '@koa/router';
import { expect } from 'chai';
import { createAdminOpenApiDocument } from '../../../src/admin/admin-openapi-document.ts';
import { openApi31Problems } from '../../support/openapi-shape.ts';

describe('admin OpenAPI document generation', () => {
  it('puts every route of the routers in the document, and flags one nobody documented', () => {
    const router = new Router({ prefix: '/admin/widgets' });
    router.get('/', () => undefined);
    router.post('/:id/spin', () => undefined);
    const doc = createAdminOpenApiDocument([router], {
      'get /admin/widgets': {
        operationId: 'listWidgets',
        summary: 'List',
        status: 200,
        response: 'The list',
      },
    });
    expect(doc.paths['/admin/widgets']?.get).to.include({ operationId: 'listWidgets', summary: 'List' });
    expect(doc.paths['/admin/widgets/{id}/spin']?.post).to.include({ 'x-undocumented': true });
    expect(openApi31Problems(doc)).to.deep.equal([]);
  });

  it('catches a malformed document (the shape check is not a rubber stamp)', () => {
    expect(
      openApi31Problems({ openapi: '3.0.3', info: {}, paths: { x: { get: { responses: {} } } } }),
    ).to.have.length.of.at.least(3);
    expect(
      openApi31Problems({
        openapi: '3.1.0',
        info: { title: 't', version: '1' },
        paths: {
          '/a/{id}': { get: { security: [{ nope: [] }], responses: { '200': { $ref: '#/components/x' } } } },
        },
      }),
    ).to.have.length(4);
  });
});
