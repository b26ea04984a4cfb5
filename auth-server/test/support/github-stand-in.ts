import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';

export interface GitHubUser {
  id: number;
  emails: { email: string; primary: boolean; verified: boolean }[];
}

export interface GitHubStandIn {
  url: string;
  /** Who is signed in at "GitHub" when the next authorization request arrives; null cancels. */
  next: GitHubUser | null;
  close(): Promise<void>;
}

const body = async (req: IncomingMessage) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
};

/**
 * GitHub's OAuth 2.0 endpoints and the two user API calls, on 127.0.0.1: authorization answers at
 * once for `next`; codes are single-use and bound to the client, redirect_uri and PKCE challenge.
 */
export async function startGitHubStandIn(client: {
  client_id: string;
  client_secret: string;
}): Promise<GitHubStandIn> {
  const codes = new Map<string, { user: GitHubUser; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, GitHubUser>();
  const standIn = { next: null } as GitHubStandIn;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const redirect = new URL(url.searchParams.get('redirect_uri') ?? '');
      redirect.searchParams.set('state', url.searchParams.get('state') ?? '');
      if (url.searchParams.get('client_id') !== client.client_id || !standIn.next) {
        redirect.searchParams.set('error', 'access_denied');
      } else {
        const code = randomBytes(16).toString('hex');
        codes.set(code, {
          user: standIn.next,
          challenge: url.searchParams.get('code_challenge') ?? '',
          redirectUri: redirect.origin + redirect.pathname,
        });
        redirect.searchParams.set('code', code);
      }
      res.writeHead(302, { location: redirect.href });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const form = await body(req);
      const issued = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (
        form.get('client_id') !== client.client_id ||
        form.get('client_secret') !== client.client_secret ||
        !issued ||
        issued.redirectUri !== form.get('redirect_uri') ||
        createHash('sha256').update(verifier).digest('base64url') !== issued.challenge
      ) {
        return json(400, { error: 'bad_verification_code' });
      }
      const token = randomBytes(16).toString('hex');
      tokens.set(token, issued.user);
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!user) return json(401, { message: 'Bad credentials' });
    if (url.pathname === '/user') return json(200, { id: user.id, login: `user${user.id}` });
    if (url.pathname === '/user/emails') return json(200, user.emails);
    json(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  standIn.url = `http://127.0.0.1:${port}`;
  standIn.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    });
  return standIn;
}
