import { type ServiceProcess, spawnNode, waitUntilReady } from '../lib/service-process.ts';

/** `node <script>` with `env`, once `readyUrl` answers 200; stopped again if it never does. */
export async function spawnReady(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  readyUrl: string,
): Promise<ServiceProcess> {
  const service = spawnNode(name, script, env);
  try {
    await waitUntilReady(readyUrl, service);
  } catch (err) {
    await service.stop();
    throw err;
  }
  return service;
}
