export interface Page {
  status: number;
  url: string;
  html: string;
  /** Where a redirect chain left the site (e.g. the client's redirect_uri), when it did. */
  leftTo?: URL;
}

/**
 * A minimal browser for integration tests: a cookie jar, manual redirects that stop when they
 * leave `origin`, and form helpers that read the page's hidden CSRF field.
 */
export class BrowserSession {
  readonly origin: string;
  readonly cookies = new Map<string, string>();

  /** Sent with every request (e.g. X-Forwarded-For to act from another address behind a trusted proxy). */
  readonly headers: Record<string, string>;

  /** Every response received on `origin`, redirects included, in order. */
  readonly responses: { method: string; url: string; status: number; headers: Headers }[] = [];

  constructor(origin: string, headers: Record<string, string> = {}) {
    this.origin = origin;
    this.headers = headers;
  }

  /**
   * Another browser tab: the same cookies, copied now. The jar keeps one cookie per name (no
   * paths), so a request that sets a cookie another tab relies on (a new interaction's) is made
   * in a tab of its own.
   */
  tab(): BrowserSession {
    const tab = new BrowserSession(this.origin, this.headers);
    for (const [name, value] of this.cookies) tab.cookies.set(name, value);
    return tab;
  }

  get(path: string): Promise<Page> {
    return this.request('GET', new URL(path, this.origin));
  }

  /** Posts url-encoded fields; `_csrf` is added from `from` (a page) unless given or `null`. */
  post(path: string, fields: Record<string, string>, from?: Page | null): Promise<Page> {
    const body = new URLSearchParams(fields);
    if (from && !('_csrf' in fields)) body.set('_csrf', csrfOf(from.html));
    return this.request('POST', new URL(path, this.origin), body);
  }

  private async request(method: string, url: URL, body?: URLSearchParams): Promise<Page> {
    let current = url;
    let currentMethod = method;
    let currentBody = body;
    for (let hop = 0; hop < 15; hop++) {
      if (current.origin !== this.origin)
        return { status: 302, url: current.href, html: '', leftTo: current };
      const res = await fetch(current, {
        method: currentMethod,
        redirect: 'manual',
        headers: {
          ...this.headers,
          cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(currentBody ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: currentBody,
      });
      this.responses.push({
        method: currentMethod,
        url: current.href,
        status: res.status,
        headers: res.headers,
      });
      this.store(res.headers.getSetCookie());
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        current = new URL(location, current);
        if (res.status !== 307 && res.status !== 308) {
          currentMethod = 'GET';
          currentBody = undefined;
        }
        continue;
      }
      return { status: res.status, url: current.href, html: await res.text() };
    }
    throw new Error('too many redirects');
  }

  private store(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /expires=Thu, 01 Jan 1970/i.test(a),
      );
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

export function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF field on this page');
  return token;
}

/** The action of the first form whose action matches `pattern`. */
export function formAction(html: string, pattern: RegExp): string {
  for (const m of html.matchAll(/<form[^>]*action="([^"]+)"/g)) {
    const action = m[1]!.replace(/&amp;/g, '&');
    if (pattern.test(action)) return action;
  }
  throw new Error(`no form action matching ${pattern}`);
}
