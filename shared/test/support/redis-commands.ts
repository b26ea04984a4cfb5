import { Redis } from 'ioredis';

/**
 * The commands clients sent to the Redis at `url` (not the ones their scripts ran) that name
 * `marker` (or any of several) in a key or argument, while `work` runs: what a request costs in
 * round trips.
 */
export async function redisCommandsNaming(
  url: string,
  marker: string | readonly string[],
  work: () => Promise<unknown>,
): Promise<string[][]> {
  const markers = typeof marker === 'string' ? [marker] : marker;
  // monitor() opens a connection of its own beside the client's: both are closed below.
  const client = new Redis(url);
  const monitor = await client.monitor();
  const seen: string[][] = [];
  const closing = `done-${markers[0]}`;
  const closed = new Promise<void>((resolve) => {
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (args[0]?.toLowerCase() === 'echo' && args[1] === closing) resolve();
      else if (source !== 'lua' && args.some((a) => markers.some((m) => a.includes(m)))) seen.push(args);
    });
  });
  try {
    await work();
    // MONITOR may report after the answers: a marked ECHO, sent last, closes the window.
    await client.echo(closing);
    await closed;
  } finally {
    monitor.disconnect();
    client.disconnect();
  }
  return seen;
}
