import {
  closeRedis,
  createAccessTokenVerifier,
  createBearerAuth,
  createErrorHandler,
  createLogger,
  createRedis,
  createRevocationStore,
  listen,
} from '@vectorauth/shared';
import Koa from 'koa';

export interface TestResourceServer {
  url: string;
  /** GET /whoami with the token: the status (200, 401, 503) and the WWW-Authenticate header. */
  call(token: string): Promise<{ status: number; challenge: string | null }>;
  close(): Promise<void>;
}

/** Any Koa resource server built from the shared library: verify, check revocation, answer. */
export async function startResourceServer(options: {
  issuer: string;
  audience: string;
  redisUrl: string;
}): Promise<TestResourceServer> {
  const logger = createLogger({ name: 'resource-server', level: 'silent' });
  const redis = createRedis(options.redisUrl, 'test-resource-server', logger);
  const verifier = createAccessTokenVerifier({
    issuer: options.issuer,
    audience: options.audience,
    jwksUri: `${options.issuer}/jwks`,
  });
  const app = new Koa();
  app.use(createErrorHandler(logger));
  app.use(createBearerAuth(verifier, { revocations: createRevocationStore(redis) }));
  app.use((ctx) => {
    ctx.body = { sub: ctx.state.token.sub };
  });
  const server = await listen(app, '127.0.0.1', 0);
  return {
    url: server.url,
    async call(token) {
      const res = await fetch(`${server.url}/whoami`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      return { status: res.status, challenge: res.headers.get('www-authenticate') };
    },
    async close() {
      await server.close();
      await closeRedis(redis);
    },
  };
}
