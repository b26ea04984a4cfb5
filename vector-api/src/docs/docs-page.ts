import type { OpenApiDocument } from './openapi-document.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

const pre = (value: unknown) => `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;

/** A plain, server-rendered HTML page of the OpenAPI document; every value is escaped. */
export function renderDocsPage(doc: OpenApiDocument): string {
  const info = doc.info as { title: string; version: string; description: string };
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const o = op as {
        operationId: string;
        summary: string;
        description: string;
        parameters?: unknown[];
        requestBody?: { content: { 'application/json': { schema: unknown } } };
        responses: Record<
          string,
          { description: string; content?: { 'application/json': { schema: unknown } } }
        >;
      };
      const responses = Object.entries(o.responses)
        .map(([status, r]) => `<li><code>${escapeHtml(status)}</code> ${escapeHtml(r.description)}</li>`)
        .join('');
      const success = Object.entries(o.responses).find(([s]) => s.startsWith('2'))?.[1]?.content?.[
        'application/json'
      ].schema;
      return `<section id="${escapeHtml(o.operationId)}">
<h2><code>${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</code></h2>
<p>${escapeHtml(o.summary)}. ${escapeHtml(o.description)}</p>
${o.parameters ? `<h3>Path parameters</h3>${pre(o.parameters)}` : ''}
${o.requestBody ? `<h3>Request body</h3>${pre(o.requestBody.content['application/json'].schema)}` : ''}
${success ? `<h3>Response</h3>${pre(success)}` : ''}
<h3>Status codes</h3><ul>${responses}</ul>
</section>`;
    }),
  );
  const toc = Object.entries(doc.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, op]) =>
          `<li><a href="#${escapeHtml((op as { operationId: string }).operationId)}"><code>${escapeHtml(method.toUpperCase())} ${escapeHtml(path)}</code></a></li>`,
      ),
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(info.title)} ${escapeHtml(info.version)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
pre{background:#f4f4f4;padding:.75rem;overflow:auto;font-size:.85rem}section{border-top:1px solid #ddd;margin-top:2rem}</style>
</head><body>
<h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
<p style="white-space:pre-line">${escapeHtml(info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escapeHtml(doc.openapi)}).</p>
<h2>Endpoints</h2><ul>${toc}</ul>
${operations.join('\n')}
</body></html>`;
}
