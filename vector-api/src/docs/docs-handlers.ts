import type { Context } from 'koa';
import { renderDocsPage } from './docs-page.ts';
import type { OpenApiDocument } from './openapi-document.ts';

/** GET /openapi.json (the document) and GET /docs (the same, as a plain HTML page); no token needed. */
export function createDocsHandlers(openapi: OpenApiDocument) {
  const page = renderDocsPage(openapi);
  return {
    openApiJson(ctx: Context): void {
      ctx.body = openapi;
    },
    docsPage(ctx: Context): void {
      ctx.type = 'text/html; charset=utf-8';
      ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      ctx.body = page;
    },
  };
}
