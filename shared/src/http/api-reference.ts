import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type Router from '@koa/router';
import type { RouterContext } from '@koa/router';
import type { Context } from 'koa';
import { NotFoundError } from '../errors/errors.ts';

/**
 * CSP of the reference page: scripts and stylesheets from this origin only (no inline script or
 * style), images from here or `data:` URLs (swagger-ui's icons are data: SVGs in its stylesheet),
 * fetches to this origin only (the OpenAPI document, "Try it out"), never framed.
 */
export const API_REFERENCE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

export interface ApiReferenceOptions {
  /** Where the page is served (`/docs`); its assets are served under `<path>/assets/`. */
  path: string;
  /** The OpenAPI document the page renders, a path on this origin (`/openapi.json`). */
  openApiPath: string;
  /** The page's title. */
  title: string;
}

interface Asset {
  type: string;
  body: Buffer;
  gzipped?: Promise<Buffer>;
}

const gzipped = promisify(gzip);

/** swagger-ui-dist's directory, wherever the package manager put it. */
const vendorFile = (name: string) => new URL(name, import.meta.resolve('swagger-ui-dist/package.json'));
const ownFile = (name: string) => new URL(`./static/${name}`, import.meta.url);

/** `name.ext` as `name.<content hash>.ext`: a new name whenever the content changes. */
function versionedName(name: string, body: Buffer): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 16);
  const dot = name.lastIndexOf('.');
  return `${name.slice(0, dot)}.${hash}${name.slice(dot)}`;
}

/** Each asset file read and named once per process, however many apps serve it. */
const read = new Map<string, { body: Buffer; versioned: string }>();
function readAsset(file: URL, name: string): { body: Buffer; versioned: string } {
  let asset = read.get(file.href);
  if (!asset) {
    const body = readFileSync(file);
    asset = { body, versioned: versionedName(name, body) };
    read.set(file.href, asset);
  }
  return asset;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
const escapeHtml = (value: string) => value.replace(/[&<>"]/g, (ch) => ESCAPES[ch] ?? ch);

/**
 * An interactive API reference: swagger-ui (swagger-ui-dist, read once from the installed package)
 * rendering this service's OpenAPI document, everything served from this origin (no CDN, no
 * inline script, swagger-ui's validator badge off: the page sends nothing to anyone else). The page
 * carries API_REFERENCE_CSP; its assets are named by their content and cached for a year; only
 * those names are served (`<path>/assets/<name>`), anything else is a 404.
 */
export function createApiReference(options: ApiReferenceOptions) {
  const assets = new Map<string, Asset>();
  const add = (file: URL, name: string, type: string): string => {
    const { body, versioned } = readAsset(file, name);
    assets.set(versioned, { type, body });
    return `${options.path}/assets/${versioned}`;
  };
  const css = 'text/css; charset=utf-8';
  const js = 'text/javascript; charset=utf-8';
  const stylesheets = [
    add(vendorFile('swagger-ui.css'), 'swagger-ui.css', css),
    add(ownFile('api-reference.css'), 'api-reference.css', css),
  ];
  const scripts = [
    add(vendorFile('swagger-ui-bundle.js'), 'swagger-ui-bundle.js', js),
    add(ownFile('api-reference.js'), 'api-reference.js', js),
  ];
  const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<link rel="icon" href="data:,">
${stylesheets.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join('\n')}
</head>
<body>
<main id="api-reference" data-openapi-url="${escapeHtml(options.openApiPath)}">
<noscript><p>This reference needs JavaScript. The API is described by its OpenAPI document: <a href="${escapeHtml(options.openApiPath)}">${escapeHtml(options.openApiPath)}</a>.</p></noscript>
</main>
${scripts.map((src) => `<script src="${escapeHtml(src)}"></script>`).join('\n')}
</body>
</html>
`;

  return {
    path: options.path,
    /** The route of the assets, for a router. */
    assetPath: `${options.path}/assets/:name`,
    page: function apiReferencePage(ctx: Context): void {
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('Content-Security-Policy', API_REFERENCE_CSP);
      // The page names the current assets: asked again every time, the assets themselves never.
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = page;
    },
    asset: async function apiReferenceAsset(ctx: RouterContext): Promise<void> {
      const asset = assets.get(ctx.params.name ?? '');
      if (!asset) throw new NotFoundError('no such asset');
      ctx.type = asset.type;
      ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
      ctx.vary('Accept-Encoding');
      if (ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
        asset.gzipped ??= gzipped(asset.body);
        ctx.set('Content-Encoding', 'gzip');
        ctx.body = await asset.gzipped;
      } else {
        ctx.body = asset.body;
      }
    },
  };
}

/**
 * Serves an OpenAPI document and its interactive reference on `router`: the document at
 * `openApiPath` (`document()` read at each request, so it may be built after the routes), the
 * page at `path`, its assets under `<path>/assets/`.
 */
export function mountApiReference(
  router: Router,
  options: ApiReferenceOptions & { document: () => unknown },
): void {
  const reference = createApiReference(options);
  router.get(options.openApiPath, (ctx) => {
    ctx.body = options.document();
  });
  router.get(reference.path, reference.page);
  router.get(reference.assetPath, reference.asset);
}
