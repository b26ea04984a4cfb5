import { resolve } from 'node:path';
import { startBackingServices } from './lib/backing-services.ts';
import { runNode, spawnNode, waitUntilReady } from './lib/service-process.ts';
import { walkthrough } from './lib/walkthrough.ts';

/**
 * `npm start`: backing services (unless URLs are given), migrations, both services, a banner.
 * Ctrl-C stops everything this started.
 */
const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(process.env.DATA_DIR ?? resolve(root, '.data'));
const log = (line: string) => console.error(`[start] ${line}`);

const backing = await startBackingServices({
  dataDir,
  env: process.env,
  databases: { auth: 'auth', vector: 'vector' },
  log,
});
const authPort = process.env.AUTH_PORT ?? '3000';
const adminPort = process.env.ADMIN_PORT ?? '3001';
const vectorPort = process.env.VECTOR_PORT ?? '4000';
const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATA_DIR: dataDir,
  DATABASE_URL: backing.databaseUrl,
  VECTOR_DATABASE_URL: backing.vectorDatabaseUrl,
  REDIS_URL: backing.redisUrl,
};
const issuer = env.ISSUER ?? `http://localhost:${authPort}`;
const vectorUrl = env.VECTOR_API_URL ?? `http://localhost:${vectorPort}`;
const adminUrl = `http://${env.ADMIN_HOST ?? '127.0.0.1'}:${adminPort}`;

const services: ReturnType<typeof spawnNode>[] = [];
let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('stopping');
    await Promise.all(services.map((s) => s.stop()));
    await backing.stop();
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

try {
  log('migrating');
  await runNode(resolve(root, 'auth-server/src/migrate.ts'), env);
  await runNode(resolve(root, 'vector-api/src/migrate.ts'), env);
  const auth = spawnNode('auth-server', resolve(root, 'auth-server/src/main.ts'), env);
  const vector = spawnNode('vector-api', resolve(root, 'vector-api/src/main.ts'), env);
  services.push(auth, vector);
  for (const s of services) {
    s.exited.then((code) => {
      if (!stopping) {
        log(`${s.name} exited with ${code}; stopping everything`);
        void stopAll(1);
      }
    });
  }
  await waitUntilReady(`${issuer}/readyz`, auth);
  await waitUntilReady(`${vectorUrl}/readyz`, vector);
} catch (err) {
  log(err instanceof Error ? err.message : String(err));
  await stopAll(1);
}

console.log(`
  Ready.
    auth-server   ${issuer}   (discovery: ${issuer}/.well-known/openid-configuration)
    admin API     ${adminUrl}   (loopback only)
    vector-api    ${vectorUrl}   (docs: ${vectorUrl}/docs)
    admin token   ${resolve(dataDir, 'secrets/admin-token')}${process.env.ADMIN_TOKEN ? ' (ADMIN_TOKEN is set: that one is used)' : ''}

  Try it (another terminal, from this directory):
${walkthrough({ issuer, adminUrl, vectorUrl })
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}

  Ctrl-C stops everything.
`);
