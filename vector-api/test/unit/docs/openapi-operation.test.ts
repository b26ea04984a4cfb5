import { expect } from 'chai';
import { z } from 'zod';
import { openApiOperation } from '../../../src/docs/openapi-operation.ts';
import type { V1Route } from '../../../src/v1/v1-routes.ts';

const route = (overrides: Partial<V1Route>): V1Route => ({
  method: 'get',
  path: '/v1/things',
  operationId: 'listThings',
  summary: 'List things',
  scope: 'vectors:read',
  status: 200,
  handler: async () => undefined,
  ...overrides,
});

describe('openApiOperation', () => {
  it('states the scope, and has no parameters or body when the route has none', () => {
    const operation = openApiOperation(route({}));
    expect(operation.description).to.equal('Requires the `vectors:read` scope.');
    expect(operation.security).to.deep.equal([
      { bearer: ['vectors:read'] },
      { dpop: ['vectors:read'] },
      { oauth2: ['vectors:read'] },
    ]);
    expect(operation).not.to.have.property('parameters');
    expect(operation).not.to.have.property('requestBody');
    const responses = operation.responses as Record<string, { description: string }>;
    expect(Object.keys(responses)).to.deep.equal(['200', '400', '401', '403', '404', '503']);
    expect(responses['200']?.description).to.equal('Success, no content');
  });

  it('lists path parameters with their descriptions, and answers 413 and 415 for a route with a body', () => {
    const operation = openApiOperation(
      route({
        method: 'post',
        params: z.object({ name: z.string().describe('The name.') }),
        body: z.object({ x: z.number() }),
        response: z.object({ ok: z.boolean() }),
      }),
    );
    const parameters = operation.parameters as Record<string, unknown>[];
    expect(parameters.map((p) => [p.name, p.in, p.required, p.description])).to.deep.equal([
      ['name', 'path', true, 'The name.'],
    ]);
    expect(operation).to.have.nested.property('requestBody.required', true);
    const responses = operation.responses as Record<string, { description: string }>;
    expect(responses['200']?.description).to.equal('Success');
    expect(responses['413']?.description).to.equal('The body is too large');
    expect(responses['415']?.description).to.equal('The body is not application/json');
    expect(responses).not.to.have.property('409');
  });

  it('answers 409 only for the operations that can conflict', () => {
    const conflict = (operationId: string) =>
      (openApiOperation(route({ operationId })).responses as Record<string, { description: string }>)['409']
        ?.description;
    expect(conflict('createCollection')).to.equal('You already have a collection of that name');
    expect(conflict('getVector')).to.match(/^stored_data_unreadable: /);
    expect(conflict('searchCollection')).to.match(/^stored_data_unreadable: /);
    expect(conflict('toString')).to.equal(undefined);
  });
});
