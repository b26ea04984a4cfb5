import { createServer } from 'node:net';

/**
 * Fails with one sentence naming the first port that something else already listens on
 * (e.g. a service left over from an earlier run), before anything is started.
 */
export async function checkPortsFree(ports: { name: string; host: string; port: number }[]): Promise<void> {
  for (const { name, host, port } of ports) {
    if (port === 0) continue;
    const busy = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(true));
      probe.listen(port, host, () => probe.close(() => resolve(false)));
    });
    if (busy) {
      throw new Error(
        `port ${port} (${name}) on ${host} is already in use by another process (a service from an earlier npm start?); stop it or choose another ${name}`,
      );
    }
  }
}
