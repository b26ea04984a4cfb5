import { expect } from 'chai';

export interface ApiReferenceUnderTest {
  /** The service's origin, once its stack has started (`http://127.0.0.1:4000`). */
  origin: () => string;
  /** Where the page is served (`/docs`). */
  path: string;
  /** The OpenAPI document it renders (`/openapi.json`). */
  openApiPath: string;
}

/** The page's CSP, spelled out here rather than imported: the test says what the page must carry. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

const attributes = (html: string, tag: string, attribute: string) =>
  [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>`, 'gi'))].map(
    ([element]) => new RegExp(`\\s${attribute}="([^"]*)"`, 'i').exec(element)?.[1],
  );

/**
 * The HTTP contract of a page made by createApiReference (shared/src/http/api-reference.ts), for
 * the `it`s of the calling `describe`: the page, its CSP, its assets, and the names it refuses.
 */
export function apiReferenceSuite(under: ApiReferenceUnderTest): void {
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${under.origin()}${path}`, { headers });
  let html = '';

  before(async () => {
    const res = await get(under.path);
    expect(res.status).to.equal(200);
    html = await res.text();
  });

  it('answers HTML under its own strict CSP, with no inline script or style', async () => {
    const res = await get(under.path);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    expect(res.headers.get('content-security-policy')).to.equal(CSP);
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    const scripts = attributes(html, 'script', 'src');
    expect(scripts).to.have.length.above(0);
    for (const src of scripts) expect(src, 'every script is a file of this origin').to.match(/^\/[^/]/);
    expect(html).not.to.match(/<style\b/i);
    expect(html).not.to.match(/\sstyle=/i);
    expect(html).not.to.match(/\son[a-z]+=/i);
    expect(html).not.to.match(/https?:\/\//);
    expect(html).to.contain(`data-openapi-url="${under.openApiPath}"`);
  });

  it('serves every script and stylesheet it links to, named by content and cached for good', async () => {
    const stylesheets = attributes(html, 'link', 'href').filter((href) => !href?.startsWith('data:'));
    const linked = [
      ...attributes(html, 'script', 'src').map((src) => [src, /^text\/javascript/] as const),
      ...stylesheets.map((href) => [href, /^text\/css/] as const),
    ];
    expect(linked.map(([url]) => url)).to.have.length(4);
    for (const [url, type] of linked) {
      expect(url).to.match(new RegExp(`^${under.path}/assets/[a-z-]+\\.[0-9a-f]{16}\\.(js|css)$`));
      const res = await get(url!);
      expect(res.status, url).to.equal(200);
      expect(res.headers.get('content-type'), url).to.match(type);
      expect(res.headers.get('cache-control'), url).to.equal('public, max-age=31536000, immutable');
      expect((await res.text()).length, url).to.be.above(0);
    }
    const bundle = linked.find(([url]) => url?.includes('/swagger-ui-bundle.'))?.[0];
    expect(bundle, 'swagger-ui itself').to.be.a('string');
    // Compressed for whoever accepts it, the same bytes otherwise.
    const plain = await get(bundle!, { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).to.equal(null);
    expect(await plain.text()).to.contain('SwaggerUIBundle');
    const compressed = await get(bundle!, { 'accept-encoding': 'gzip' });
    expect(compressed.headers.get('content-encoding')).to.equal('gzip');
    expect(compressed.headers.get('vary')).to.match(/accept-encoding/i);
  });

  it('answers any other asset name with a JSON 404 (no path leads out of the list)', async () => {
    for (const name of [
      '..%2Fpackage.json',
      '%2e%2e%2f%2e%2e%2fpackage.json',
      '..%2F..%2Fnode_modules%2Fswagger-ui-dist%2Fpackage.json',
      'x.js',
      'swagger-ui-bundle.js',
      'swagger-ui.css',
      'swagger-ui-bundle.js.map',
      'index.html',
    ]) {
      const res = await get(`${under.path}/assets/${name}`);
      expect(res.status, name).to.equal(404);
      expect(res.headers.get('content-type'), name).to.match(/^application\/json/);
      expect(await res.json(), name).to.have.keys('error', 'message');
    }
  });

  it('still serves the OpenAPI document it renders', async () => {
    const res = await get(under.openApiPath);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    expect(((await res.json()) as { openapi: string }).openapi).to.match(/^3\.1\./);
  });
}
