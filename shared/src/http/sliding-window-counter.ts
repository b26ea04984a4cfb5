/**
 * The rate limit's counter, in Lua so that a check is one Redis command (EVALSHA) however it is
 * combined: `createRateLimiter` runs it alone, `createRequestChecks` after the revocation check.
 *
 * A sliding-window counter: two fixed windows, the previous one weighted by how much of it still
 * lies inside the sliding window (Cloudflare's approximation). One small hash per bucket, whatever
 * the traffic (a sorted-set log holds one entry per request for the whole window):
 *
 *   <key>  hash  s = start of the current window (ms, Redis's clock), c = requests counted in it,
 *                p = requests counted in the window before; expires when both windows have passed
 *
 * A bucket's windows start at its first request (not at epoch multiples), so a fresh bucket gets a
 * whole window, as with a log. The count at `now` is floor(p * (1 - elapsed / window)) + c; a
 * request is admitted while that is below `max`, and only admitted requests are counted (polling
 * while refused does not hold a bucket shut). It never admits more than `max` in one fixed window;
 * the weighting assumes the previous window's requests were spread evenly, so a burst at the very
 * end of a window followed by steady traffic can let up to 2x `max` through in the worst sliding
 * window (measured on real traffic by Cloudflare: 0.003% of decisions differ from an exact log).
 *
 * GCRA (one timestamp per bucket) was the other choice; it spreads a window's quota evenly (after
 * a burst of `max`, one request every window/max), so `Retry-After` after a burst would be
 * window/max instead of the documented "until a window of requests has passed".
 *
 * `slidingWindow(key, max, windowMs, nowMs)` returns {admitted 0|1, count after this request,
 * ms until one more request would be admitted}. Time comes from Redis (`TIME`), so every instance
 * shares one clock; it is read once per script run (a batch of calls counts at one instant).
 */
export const SLIDING_WINDOW_LUA = `
local function slidingWindow(key, max, windowMs, nowMs)
  local state = redis.call('HMGET', key, 's', 'c', 'p')
  local s, c, p = tonumber(state[1]), tonumber(state[2]) or 0, tonumber(state[3]) or 0
  local stored = s
  if not s or nowMs >= s + 2 * windowMs then
    s, c, p = nowMs, 0, 0
  elseif nowMs >= s + windowMs then
    s, c, p = s + windowMs, 0, c
  end
  local elapsed = math.max(0, nowMs - s)
  local function count(x) return math.floor(p * (windowMs - x) / windowMs) + c end
  -- ms from now until the count is at most target (in the window after this one if need be)
  local function msUntil(target)
    if target < 0 then return windowMs end
    if c <= target then
      local k = target - c + 1
      if p * (windowMs - elapsed) < k * windowMs then return 0 end
      return math.ceil(windowMs - k * windowMs / p) - elapsed
    end
    local x = math.max(0, math.ceil(windowMs - (target + 1) * windowMs / c))
    return windowMs - elapsed + x
  end
  if count(elapsed) >= max then
    return {0, count(elapsed), msUntil(max - 1)}
  end
  c = c + 1
  redis.call('HSET', key, 's', s, 'c', c, 'p', p)
  -- The expiry moves only with the window (a hash that exists has it already)
  if s ~= stored then redis.call('PEXPIREAT', key, s + 2 * windowMs) end
  local used = count(elapsed)
  return {1, used, msUntil(used - 1)}
end
local scriptNowMs
local function redisNowMs()
  if not scriptNowMs then
    local t = redis.call('TIME')
    scriptNowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  end
  return scriptNowMs
end
`;

/** What the counter answered for one request. */
export interface WindowCount {
  admitted: boolean;
  /** Requests counted in the sliding window, this one included when admitted. */
  count: number;
  /** Ms until one more request would be admitted than now (the `Reset` and `Retry-After`). */
  freesInMs: number;
}

/** The counter's Lua reply as a `WindowCount`. */
export function windowCountFrom(reply: unknown): WindowCount {
  if (!Array.isArray(reply) || reply.length !== 3) throw new TypeError('unexpected rate-limit reply');
  const [admitted, count, freesInMs] = reply.map(Number) as [number, number, number];
  return { admitted: admitted === 1, count, freesInMs };
}
