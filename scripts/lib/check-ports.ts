import { createServer } from 'node:net';
import { listenError } from '@vectorauth/shared';

/**
 * Fails with one sentence naming the first address something else already listens on (e.g. a
 * service left over from an earlier run) and the variable to change, before anything is started:
 * the sentence the services say themselves (`listenError`).
 */
export async function checkPortsFree(
  ports: { host: string; port: number; variables: { host: string; port: string } }[],
): Promise<void> {
  for (const { host, port, variables } of ports) {
    if (port === 0) continue;
    const failure = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const probe = createServer();
      probe.once('error', (err: NodeJS.ErrnoException) => resolve(err));
      probe.listen(port, host, () => probe.close(() => resolve(undefined)));
    });
    if (failure) throw listenError(failure, host, port, variables);
  }
}
