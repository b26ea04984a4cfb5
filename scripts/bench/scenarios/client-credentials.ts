import { assertAccessToken } from '../access-token.ts';
import type { HttpClient } from '../http-client.ts';
import { type LoadOptions, type LoadResult, runLoad } from '../load.ts';

export interface ClientCredentials {
  /** The token endpoint, on 127.0.0.1. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope: string;
  /** The audience every token must carry (the vector API's URL). */
  audience: string;
}

/** One client-credentials grant (HTTP Basic client authentication); returns the access token. */
export async function requestToken(
  http: HttpClient,
  c: ClientCredentials,
  extraHeaders: Record<string, string> = {},
): Promise<string> {
  const basic = Buffer.from(`${encodeURIComponent(c.clientId)}:${encodeURIComponent(c.clientSecret)}`);
  const res = await http.send('POST', c.tokenUrl, {
    headers: {
      authorization: `Basic ${basic.toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...extraHeaders,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: c.scope }).toString(),
  });
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${res.body.slice(0, 300)}`);
  const { access_token } = JSON.parse(res.body) as { access_token?: string };
  if (!access_token) throw new Error('token endpoint answered 200 without an access_token');
  return access_token;
}

/** Client-credentials tokens per second: checks one token's shape, then measures. */
export async function benchClientCredentials(
  http: HttpClient,
  c: ClientCredentials,
  load: LoadOptions,
): Promise<LoadResult> {
  assertAccessToken(await requestToken(http, c), { alg: 'ES256', audience: c.audience });
  return runLoad(load, () => requestToken(http, c));
}
