import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.ts';
import { type SpawnedStack, useSpawnedStack } from '../support/spawned-stack.ts';

const run = promisify(execFile);

/** A Chromium page that records CSP violations (events and console lines), script errors and requests. */
interface WatchedPage {
  page: Page;
  requests: { url: string; authorization?: string }[];
  /** Everything that went wrong on the page: should stay empty. */
  problems(): Promise<string[]>;
}

async function watchedPage(browser: Browser, width: number): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  const requests: WatchedPage['requests'] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push({ url: r.url(), authorization: r.headers().authorization }));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`script error: ${err.message}`));
  // Runs before the page's own scripts (the test has no DOM types: the script is text).
  await page.addInitScript({
    content: `globalThis.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => globalThis.cspViolations.push(
        e.effectiveDirective + ' blocked ' + e.blockedURI + ' (' + e.sourceFile + ':' + e.lineNumber + ')'));`,
  });
  return {
    page,
    requests,
    async problems() {
      const violations = (await page.evaluate('globalThis.cspViolations')) as string[];
      return [...problems, ...violations.map((v) => `violation: ${v}`)];
    },
  };
}

/** The requests that went anywhere but `origin` (data: URLs never leave the page). */
const elsewhere = (watched: WatchedPage, origin: string) =>
  watched.requests
    .map((r) => r.url)
    .filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'));

/** The shell block that follows `marker` in `markdown`. */
function shellBlockAfter(markdown: string, marker: string): string {
  const start = markdown.indexOf('```sh\n', markdown.indexOf(marker));
  expect(markdown.indexOf(marker), marker).to.be.above(-1);
  return markdown.slice(start + '```sh\n'.length, markdown.indexOf('\n```', start));
}

async function description(stack: SpawnedStack): Promise<string> {
  const doc = (await (await fetch(`${stack.vectorUrl}/openapi.json`)).json()) as {
    info: { description: string };
  };
  return doc.info.description;
}

async function registerClient(stack: SpawnedStack, metadata: Record<string, unknown>) {
  const res = await fetch(`${stack.adminUrl}/admin/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  });
  expect(res.status).to.equal(201);
  return (await res.json()) as { client_id: string; client_secret: string };
}

/** Runs a block of the "Get a token" section as it stands, with `env` set: its standard output. */
async function runDocumented(block: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', block], {
    env: { ...process.env, ...env },
  });
  return stdout.trim();
}

describe('e2e in Chromium: the API references (/docs), served by the services themselves', function () {
  this.timeout(120_000);
  const spawned = useSpawnedStack();
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  it("renders the vector API's operations and how to get a token here, with nothing blocked or sent elsewhere", async () => {
    const { issuer, vectorUrl } = spawned.stack;
    const watched = await watchedPage(browser, 1280);
    await watched.page.goto(`${vectorUrl}/docs`);
    await watched.page.getByText('List your collections').first().waitFor();
    await watched.page.getByText('Find the k nearest vectors').first().waitFor();
    await watched.page.getByRole('heading', { name: 'Get a token' }).waitFor();
    const info = await watched.page.locator('.information-container').innerText();
    expect(info).to.contain(`${issuer}/token`).and.contain(`${issuer}/auth?response_type=code`);
    expect(await watched.problems()).to.deep.equal([]);
    expect(elsewhere(watched, vectorUrl)).to.deep.equal([]);
    expect(watched.requests.map((r) => r.url)).to.include(`${vectorUrl}/openapi.json`);
    // The watch sees what the CSP refuses: an image from elsewhere, added by hand, is blocked.
    await watched.page.evaluate(
      `document.body.append(Object.assign(document.createElement('img'), { src: 'https://elsewhere.example/x.png' }))`,
    );
    await watched.page.waitForFunction('globalThis.cspViolations.length > 0');
    expect((await watched.problems()).join('\n')).to.contain(
      'img-src blocked https://elsewhere.example/x.png',
    );
    await watched.page.close();
  });

  it('tries an operation from the page with a token from the documented client-credentials request', async () => {
    const { vectorUrl } = spawned.stack;
    const client = await registerClient(spawned.stack, {
      client_name: 'reference reader',
      grant_types: ['client_credentials'],
      scope: 'vectors:read vectors:write',
    });
    const answer = await runDocumented(
      shellBlockAfter(await description(spawned.stack), 'Client credentials'),
      {
        CLIENT_ID: client.client_id,
        CLIENT_SECRET: client.client_secret,
      },
    );
    const { access_token: token } = JSON.parse(answer) as { access_token: string };
    expect(token, answer).to.be.a('string');

    const watched = await watchedPage(browser, 1280);
    const { page } = watched;
    await page.goto(`${vectorUrl}/docs`);
    await page.getByRole('button', { name: 'Authorize' }).first().click();
    await page.locator('#auth-bearer-value').fill(token);
    await page.getByRole('button', { name: 'Apply credentials' }).click();
    await page.getByRole('button', { name: 'Close' }).first().click();
    await page.getByText('List your collections').first().click();
    await page.getByRole('button', { name: 'Try it out' }).click();
    await page.getByRole('button', { name: 'Execute' }).click();
    const status = page.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor();
    expect((await status.innerText()).trim()).to.equal('200');
    const call = watched.requests.find((r) => r.url === `${vectorUrl}/v1/collections`);
    expect(call?.authorization).to.equal(`Bearer ${token}`);
    expect(await watched.problems()).to.deep.equal([]);
    expect(elsewhere(watched, vectorUrl)).to.deep.equal([]);
    await page.close();
  });

  it('documents an authorization request (PKCE) that the server takes to its sign-in, and its code exchange', async () => {
    const { issuer } = spawned.stack;
    const redirectUri = 'https://notes.example/callback';
    const client = await registerClient(spawned.stack, {
      client_name: 'Notes',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      scope: 'openid vectors:read vectors:write',
    });
    const markdown = await description(spawned.stack);
    const block = shellBlockAfter(markdown, 'Authorization code with PKCE');
    const url = (await runDocumented(block, { CLIENT_ID: client.client_id, REDIRECT_URI: redirectUri }))
      .split('\n')
      .at(-1)!;
    expect(url.startsWith(`${issuer}/auth?`), url).to.equal(true);
    const params = new URL(url).searchParams;
    expect(params.get('code_challenge')).to.match(/^[A-Za-z0-9_-]{43}$/);
    // Every parameter is accepted: the server starts the sign-in (an error would go back to the app).
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).to.equal(303);
    expect(new URL(res.headers.get('location')!, issuer).href).to.match(
      new RegExp(`^${issuer.replace(/\./g, '\\.')}/interaction/`),
    );
    // The exchange reaches the grant itself (the client authenticated, every field in place): a
    // code nobody issued is refused as such.
    const exchange = shellBlockAfter(markdown, 'exchange the code at once');
    const refused = await runDocumented(exchange, {
      CLIENT_ID: client.client_id,
      CLIENT_SECRET: client.client_secret,
      REDIRECT_URI: redirectUri,
      CODE: 'not-a-code-this-server-issued',
      VERIFIER: 'a'.repeat(43),
    });
    expect(JSON.parse(refused)).to.include({ error: 'invalid_grant' });
  });

  it('fits a phone (375 px): nothing scrolls sideways, operations open included', async () => {
    const { vectorUrl } = spawned.stack;
    const watched = await watchedPage(browser, 375);
    const { page } = watched;
    await page.goto(`${vectorUrl}/docs`);
    await page.getByRole('heading', { name: 'Get a token' }).waitFor();
    for (const summary of ['Find the k nearest vectors', 'Insert or replace a batch of vectors']) {
      await page.getByText(summary).first().click();
    }
    await page.getByRole('button', { name: 'Try it out' }).first().waitFor();
    const widths = (await page.evaluate(
      '({ page: document.documentElement.scrollWidth, body: document.body.scrollWidth, viewport: innerWidth })',
    )) as { page: number; body: number; viewport: number };
    expect(widths.viewport).to.equal(375);
    expect(widths.page, JSON.stringify(widths)).to.be.at.most(376);
    expect(widths.body, JSON.stringify(widths)).to.be.at.most(376);
    expect(await watched.problems()).to.deep.equal([]);
    await page.close();
  });

  it('renders the admin API reference on the admin port the same way', async () => {
    const { adminUrl } = spawned.stack;
    const watched = await watchedPage(browser, 1280);
    await watched.page.goto(`${adminUrl}/admin/docs`);
    await watched.page.getByText('Register a client').first().waitFor();
    await watched.page.getByText('Auth server admin API').first().waitFor();
    expect(await watched.problems()).to.deep.equal([]);
    expect(elsewhere(watched, adminUrl)).to.deep.equal([]);
    await watched.page.close();
  });
});
