import type { Redis } from './create-redis.ts';
import { defineRedisScript, type RedisScript } from './redis-script.ts';

/**
 * A Lua script whose calls travel together: the calls made while the previous batch is on its way
 * to Redis (or within one turn of the event loop when none is) go as one EVALSHA, which runs them
 * one after the other, in the order they were made, and answers each. Under load, one command and
 * one reply carry tens of requests' checks, instead of a command each; an idle service sends each
 * call alone, one event-loop turn after it was made.
 *
 * `perCallLua` defines `local function perCall(KEYS, ARGV)`: the parameters shadow the globals, so
 * the body reads like a script of its own; helpers it calls must take the keys they use as
 * arguments, since they see the batch's global KEYS. A Redis error fails every call of the batch.
 */
export function defineBatchedRedisScript(
  redis: Redis,
  name: string,
  perCallLua: string,
  options: { maxCalls?: number } = {},
): RedisScript {
  const maxCalls = options.maxCalls ?? 128;
  const script = defineRedisScript(redis, name, `${perCallLua}\n${BATCH_LUA}`);
  interface Call {
    keys: readonly string[];
    args: readonly (string | number)[];
    resolve(reply: unknown): void;
    reject(err: unknown): void;
  }
  let queue: Call[] = [];
  let sending = false;
  let scheduled = false;

  function send(): void {
    scheduled = false;
    if (sending || queue.length === 0) return;
    const batch = queue.slice(0, maxCalls);
    queue = queue.slice(batch.length);
    const keys: string[] = [];
    const header: number[] = [batch.length];
    const args: (string | number)[] = [];
    for (const call of batch) {
      header.push(call.keys.length, call.args.length);
      keys.push(...call.keys);
      args.push(...call.args);
    }
    sending = true;
    // A synchronous throw would leave `sending` set and every later call waiting: treat it as a
    // refused batch.
    Promise.resolve()
      .then(() => script(keys, [...header, ...args]))
      .then(
        (replies) => {
          sending = false;
          if (!Array.isArray(replies) || replies.length !== batch.length) {
            const err = new TypeError(`unexpected reply of the batched script ${name}`);
            for (const call of batch) call.reject(err);
          } else {
            for (const [i, call] of batch.entries()) call.resolve(replies[i]);
          }
          send();
        },
        (err: unknown) => {
          sending = false;
          for (const call of batch) call.reject(err);
          send();
        },
      );
  }

  return (keys, args) =>
    new Promise((resolve, reject) => {
      queue.push({ keys, args, resolve, reject });
      if (!sending && !scheduled) {
        scheduled = true;
        setImmediate(send);
      }
    });
}

/** ARGV = calls, then (keys, args) counts per call, then every call's args; KEYS = every call's keys. */
const BATCH_LUA = `
local calls = tonumber(ARGV[1])
local replies = {}
local k, a = 0, 1 + 2 * calls
for i = 1, calls do
  local nk, na = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local keys, args = {}, {}
  for j = 1, nk do keys[j] = KEYS[k + j] end
  for j = 1, na do args[j] = ARGV[a + j] end
  k, a = k + nk, a + na
  replies[i] = perCall(keys, args)
end
return replies`;
