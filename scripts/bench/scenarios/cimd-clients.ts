import { createHash, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { startMetadataDocumentHost } from '../../lib/metadata-document-host.ts';
import { spawnNode, waitUntilReady } from '../../lib/service-process.ts';
import type { HttpClient } from '../http-client.ts';
import { abba, type LoadOptions, type LoadResult, runLoad } from '../load.ts';

const REDIRECT = 'http://127.0.0.1:9/callback';

/**
 * What a client known only from its Client ID Metadata Document costs the authorization server
 * once its document is cached, against a registered client of the same metadata: authorization
 * requests (client resolved, the request checked, an interaction saved, 303 to the sign-in page),
 * ABBA in one run, against an auth-server process of the stack's that trusts the document host's
 * certificate. (Token requests of such public clients need a person's code; the client is resolved
 * the same way there.)
 */
export async function benchCimdClients(
  http: HttpClient,
  options: { root: string; env: NodeJS.ProcessEnv; adminUrl: string; adminToken: string },
  load: LoadOptions,
): Promise<{ cimd: LoadResult; registered: LoadResult }> {
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
      scope: 'openid vectors:read',
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
    return { cimd: a, registered: b };
  } finally {
    await auth.stop();
    await host.close();
  }
}
