import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { freePort } from '@vectorauth/shared';
import { spawnNode, waitUntilReady } from '../../lib/service-process.ts';
import type { ClientCredentials } from './client-credentials.ts';

export interface BareTokenServer {
  credentials: ClientCredentials;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Starts bare-provider.ts in its own process with one client-credentials client. */
export async function startBareTokenServer(options: {
  audience: string;
  scope: string;
  env: NodeJS.ProcessEnv;
}): Promise<BareTokenServer> {
  const port = await freePort();
  const clientId = 'bench-bare';
  const clientSecret = randomBytes(32).toString('base64url');
  const child = spawnNode('bare oidc-provider', resolve(import.meta.dirname, '../bare-provider.ts'), {
    ...options.env,
    BARE_PORT: String(port),
    BARE_AUDIENCE: options.audience,
    BARE_CLIENT_ID: clientId,
    BARE_CLIENT_SECRET: clientSecret,
    BARE_SCOPE: options.scope,
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(`${base}/.well-known/openid-configuration`, child);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return {
    credentials: {
      tokenUrl: `${base}/token`,
      clientId,
      clientSecret,
      scope: options.scope,
      audience: options.audience,
    },
    pid: child.child.pid,
    stop: () => child.stop(),
  };
}
