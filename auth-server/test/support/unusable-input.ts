import type Router from '@koa/router';
import { expect } from 'chai';

/** One endpoint to attack: method, path template (`:param`s), and how it reads a body. */
export interface Endpoint {
  method: string;
  path: string;
  body?: 'json' | 'form';
  /** The refusal's format: `{error, message}`, RFC 6749 JSON, or an error page. */
  format: 'api' | 'oauth' | 'page';
}

/** What Postgres refuses, as it arrives in a URL and as a JSON string. */
export const UNUSABLE: readonly { what: string; url: string; json?: string }[] = [
  { what: 'NUL', url: '%00', json: '\u0000' },
  { what: 'NUL inside', url: 'a%00b', json: 'a\u0000b' },
  { what: 'encoded surrogate', url: '%ED%A0%80', json: '\ud800' },
  { what: 'lone low surrogate', url: '%ED%B0%80', json: 'x\udc00' },
  { what: 'over-long', url: 'a'.repeat(9000) },
];

/** Every routed (method, path) of a router, HEAD left out (it follows GET). */
export function routesOf(router: Router): { method: string; path: string }[] {
  const seen = new Set<string>();
  const routes: { method: string; path: string }[] = [];
  for (const layer of router.stack) {
    for (const method of layer.methods) {
      const key = `${method} ${String(layer.path)}`;
      if (method === 'HEAD' || seen.has(key)) continue;
      seen.add(key);
      routes.push({ method, path: String(layer.path) });
    }
  }
  return routes;
}

export const withParams = (path: string, value: string) => path.replace(/:[A-Za-z_]+/g, value);

export interface Attack {
  what: string;
  url: string;
  init: RequestInit & { headers: Record<string, string> };
}

const basic = (raw: Buffer) => `Basic ${raw.toString('base64')}`;

/**
 * Each request that carries an unusable string somewhere an endpoint reads it: every path
 * parameter, the query (`client_id`, `state`), Basic credentials (RFC 6749 2.3.1), cookies (when
 * the surface reads them), and the body in the endpoint's own type. `auth` is added to body
 * attacks only (a body is parsed after authentication).
 */
export function attacksOn(
  base: string,
  endpoint: Endpoint,
  options: { auth?: Record<string, string>; cookies?: boolean; validParam?: string } = {},
): Attack[] {
  const attacks: Attack[] = [];
  const path = withParams(endpoint.path, options.validParam ?? 'probe');
  const add = (what: string, url: string, init: Attack['init']) =>
    attacks.push({ what: `${endpoint.method} ${endpoint.path}: ${what}`, url: `${base}${url}`, init });
  for (const bad of UNUSABLE) {
    const get = { method: endpoint.method, headers: {} };
    for (const param of endpoint.path.match(/:[A-Za-z_]+/g) ?? []) {
      const url = withParams(endpoint.path.replace(param, bad.url), options.validParam ?? 'probe');
      add(`${bad.what} in ${param}`, url, get);
    }
    add(`${bad.what} in client_id`, `${path}?client_id=${bad.url}`, get);
    if (bad.url.length < 100) add(`${bad.what} in state`, `${path}?response_type=code&state=${bad.url}`, get);
    if (!['POST', 'PUT', 'PATCH'].includes(endpoint.method) || !endpoint.body) continue;
    const headers = options.auth ?? {};
    if (endpoint.body === 'form') {
      add(`${bad.what} in a form field`, path, {
        method: endpoint.method,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&client_id=${bad.url}&email=a@b.example`,
      });
    } else if (bad.json !== undefined) {
      const json = JSON.stringify({ name: 'probe', client_name: bad.json });
      add(`${bad.what} in a JSON string`, path, {
        method: endpoint.method,
        headers: { ...headers, 'content-type': 'application/json' },
        body: json,
      });
      add(`${bad.what} in a JSON key`, path, {
        method: endpoint.method,
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ [bad.json]: 1 }),
      });
    }
  }
  const credentials: [string, Buffer][] = [
    ['percent-encoded NUL', Buffer.from('%00:secret')],
    ['raw NUL', Buffer.from('\u0000:secret')],
    ['surrogate bytes', Buffer.concat([Buffer.from([0x61, 0xed, 0xa0, 0x80]), Buffer.from(':secret')])],
    ['over-long', Buffer.from(`${'a'.repeat(9000)}:secret`)],
  ];
  for (const [what, raw] of credentials) {
    add(`${what} client id in Basic credentials`, path, {
      method: endpoint.method,
      headers: { authorization: basic(raw) },
    });
  }
  if (options.cookies) {
    add('over-long cookie', path, {
      method: endpoint.method,
      headers: { cookie: `_session=${'a'.repeat(9000)}` },
    });
  }
  return attacks;
}

/** Sends the attack; asserts a 400 in the endpoint's format that says why, never a 5xx. */
export async function expectRefused(attack: Attack, format: Endpoint['format']): Promise<void> {
  const res = await fetch(attack.url, { ...attack.init, redirect: 'manual' });
  const text = await res.text();
  expect(res.status, `${attack.what}: ${text.slice(0, 300)}`).to.equal(400);
  const type = res.headers.get('content-type') ?? '';
  if (format === 'page') {
    expect(type, attack.what).to.match(/^text\/html/);
    expect(text, attack.what).to.match(/was refused/);
    return;
  }
  expect(type, attack.what).to.match(/^application\/json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(body.error, attack.what).to.equal('invalid_request');
  const description = format === 'oauth' ? body.error_description : body.message;
  expect(description, `${attack.what}: ${text}`)
    .to.be.a('string')
    .and.match(/was refused/);
}
