import { expect } from 'chai';
import { escapeHtml, renderDocsPage } from '../../../src/docs/docs-page.ts';

describe('renderDocsPage', () => {
  it('escapes every value it renders', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).to.equal(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    const html = renderDocsPage({
      openapi: '3.1.0',
      info: { title: '<script>alert(1)</script>', version: '1', description: 'd' },
      paths: {
        '/x/{id}': {
          get: {
            operationId: 'x"><img',
            summary: '<b>',
            description: 'ok',
            responses: { '200': { description: '<i>' } },
          },
        },
      },
    });
    expect(html).not.to.contain('<script>');
    expect(html).not.to.contain('<img');
    expect(html).not.to.contain('<b>');
    expect(html).to.contain('&lt;script&gt;');
  });
});
