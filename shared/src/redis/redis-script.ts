import type { Redis } from './create-redis.ts';

/** A Lua script run as one command: keys, then arguments; the script's reply as Redis sent it. */
export type RedisScript = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

/**
 * Defines `lua` on the client through ioredis' `defineCommand`: EVALSHA, and EVAL when the server
 * answers NOSCRIPT (first use on a connection, a restarted or failed-over Redis). `name` must be
 * unique per script on the client.
 */
export function defineRedisScript(redis: Redis, name: string, lua: string): RedisScript {
  redis.defineCommand(name, { lua });
  const command: unknown = Reflect.get(redis, name);
  if (typeof command !== 'function') throw new TypeError(`ioredis did not define the command ${name}`);
  return (keys, args) => command.call(redis, keys.length, ...keys, ...args);
}
