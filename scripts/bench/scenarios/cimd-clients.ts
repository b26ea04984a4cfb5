import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import pg from 'pg';
import { BrowserSession, formAction } from '../../../auth-server/test/support/browser-session.ts';
import { startMetadataDocumentHost } from '../../lib/metadata-document-host.ts';
import { spawnNode, waitUntilReady } from '../../lib/service-process.ts';
import type { HttpClient } from '../http-client.ts';
import { abba, type LoadOptions, type LoadResult, runLoad } from '../load.ts';

const REDIRECT = 'http://127.0.0.1:9/callback';

/**
 * What a client known only from its Client ID Metadata Document costs the authorization server
 * once its document is cached, against a registered client of the same metadata, ABBA in one
 * run, against an auth-server process of the stack's that trusts the document host's
 * certificate: authorization requests (client resolved, the request checked, an interaction
 * saved, 303 to the sign-in page), and token requests: refresh grants (rotation included) on
 * `concurrency` chains per client, each started by a person's consent and code.
 */
export async function benchCimdClients(
  http: HttpClient,
  options: {
    root: string;
    env: NodeJS.ProcessEnv;
    adminUrl: string;
    adminToken: string;
    databaseUrl: string;
  },
  load: LoadOptions,
): Promise<{
  cimd: LoadResult;
  registered: LoadResult;
  cimdTokens: LoadResult;
  registeredTokens: LoadResult;
}> {
  const host = await startMetadataDocumentHost();
  const [port, adminPort] = [await freePort(), await freePort()];
  const auth = spawnNode('auth-server (cimd)', resolve(options.root, 'auth-server/src/main.ts'), {
    ...options.env,
    AUTH_PORT: String(port),
    ADMIN_PORT: String(adminPort),
    OUTBOUND_CA_FILE: host.caFile,
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitUntilReady(`${base}/readyz`, auth);
    const metadata = {
      client_name: 'bench agent',
      redirect_uris: [REDIRECT],
      application_type: 'native',
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      scope: 'openid offline_access vectors:read',
    };
    const cimdId = host.serve(
      '/bench/client.json',
      { client_id: `${host.origin}/bench/client.json`, ...metadata },
      {
        'cache-control': 'max-age=3600',
      },
    );
    const registered = await http.json<{ client_id: string }>(
      'POST',
      `${options.adminUrl}/admin/clients`,
      201,
      {
        headers: { authorization: `Bearer ${options.adminToken}` },
        body: metadata,
      },
    );
    const challenge = createHash('sha256').update(randomBytes(32)).digest('base64url');
    const authorize = async (clientId: string) => {
      const query = new URLSearchParams({
        client_id: clientId,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid vectors:read',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: randomBytes(8).toString('hex'),
      });
      const res = await http.send('GET', `${base}/auth?${query}`);
      if (res.status !== 303)
        throw new Error(`authorization request answered ${res.status}: ${res.body.slice(0, 200)}`);
    };
    await authorize(cimdId);
    if (host.hits('/bench/client.json') !== 1) throw new Error('the metadata document was not fetched once');
    const half = { ...load, count: Math.ceil(load.count / 2) };
    const { a, b } = await abba(
      () => runLoad(half, () => authorize(cimdId)),
      () => runLoad(half, () => authorize(registered.client_id)),
    );
    if (host.hits('/bench/client.json') !== 1) throw new Error('the cached document was fetched again');

    const browser = await signedInBrowser(base, options.databaseUrl);
    const chainsOf = async (clientId: string) => {
      const chains: string[] = [];
      for (let i = 0; i < load.concurrency; i++)
        chains.push(await refreshTokenOf(http, browser, base, clientId));
      return chains;
    };
    const refreshes = (clientId: string, chains: string[]) => () =>
      runLoad(half, async () => {
        const refreshToken = chains.pop() as string;
        const res = await http.send('POST', `${base}/token`, {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: refreshToken,
            client_id: clientId,
          }).toString(),
        });
        if (res.status !== 200) throw new Error(`refresh answered ${res.status}: ${res.body.slice(0, 200)}`);
        chains.push((JSON.parse(res.body) as { refresh_token: string }).refresh_token);
      });
    const cimdChains = await chainsOf(cimdId);
    const registeredChains = await chainsOf(registered.client_id);
    const tokens = await abba(
      refreshes(cimdId, cimdChains),
      refreshes(registered.client_id, registeredChains),
    );
    return { cimd: a, registered: b, cimdTokens: tokens.a, registeredTokens: tokens.b };
  } finally {
    await auth.stop();
    await host.close();
  }
}

/** A browser on `base` and a fresh verified account (verified in the database directly). */
async function signedInBrowser(base: string, databaseUrl: string) {
  const email = `cimd-bench-${randomBytes(6).toString('hex')}@example.com`;
  const password = 'bench passphrase for agents';
  const browser = new BrowserSession(base);
  await browser.post('/signup', { email, password }, await browser.get('/signup'));
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('update account set email_verified = true where email = $1', [email]);
  } finally {
    await db.end();
  }
  return { browser, email, password };
}

/** One authorization with consent (offline access), its code redeemed with PKCE: a refresh token. */
async function refreshTokenOf(
  http: HttpClient,
  person: Awaited<ReturnType<typeof signedInBrowser>>,
  base: string,
  clientId: string,
) {
  const { browser } = person;
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid offline_access vectors:read',
    prompt: 'consent',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
  });
  let consent = await browser.get(`/auth?${query}`);
  if (/action="[^"]*\/login"/.test(consent.html)) {
    const { email, password } = person;
    consent = await browser.post(formAction(consent.html, /\/login$/), { email, password }, consent);
  }
  const done = await browser.post(formAction(consent.html, /\/consent$/), { decision: 'allow' }, consent);
  const code = done.leftTo?.searchParams.get('code');
  if (!code) throw new Error(`no code for ${clientId}: ${done.status} ${done.html.slice(0, 200)}`);
  const res = await http.send('POST', `${base}/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    }).toString(),
  });
  if (res.status !== 200)
    throw new Error(`code redemption answered ${res.status}: ${res.body.slice(0, 200)}`);
  return (JSON.parse(res.body) as { refresh_token: string }).refresh_token;
}
