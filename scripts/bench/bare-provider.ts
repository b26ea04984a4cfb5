import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import { type JWK, Provider } from 'oidc-provider';

/**
 * The baseline: oidc-provider as it comes (memory adapter), configured only for what the
 * client-credentials benchmark needs, with the same signing algorithm and token format as ours.
 * Run as a child process (`node scripts/bench/bare-provider.ts`) so it has its own event loop,
 * as the real auth-server does. Env: BARE_PORT, BARE_AUDIENCE, BARE_CLIENT_ID,
 * BARE_CLIENT_SECRET, BARE_SCOPE.
 */
const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`bare-provider: ${name} is required`);
  return value;
};
const port = Number(env('BARE_PORT'));
const audience = env('BARE_AUDIENCE');
const scope = env('BARE_SCOPE');
const issuer = `http://localhost:${port}`;

const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: 'bench' } as JWK;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env('BARE_CLIENT_ID'),
      client_secret: env('BARE_CLIENT_SECRET'),
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope,
      // Only an ES256 key exists, so the RS256 default would be refused (ours sets the same).
      id_token_signed_response_alg: 'ES256',
    },
  ],
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      getResourceServerInfo: () => ({
        scope,
        audience,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
      useGrantedResource: () => true,
    },
  },
  jwks: { keys: [jwk] },
  scopes: scope.split(' '),
  ttl: { ClientCredentials: 600 }, // ours: ACCESS_TOKEN_TTL, 600 s by default
});

const server = createServer(provider.callback());
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1');
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
