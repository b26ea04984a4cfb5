/**
 * koa-ratelimit's Redis driver (the file its middleware builds per request; async-ratelimiter's
 * sliding log in one Lua script, one round trip), typed for the calls we make.
 */
declare module 'koa-ratelimit/limiter/redis.js' {
  import type { Redis } from 'ioredis';

  export interface RedisLimit {
    /** Requests still allowed before this one is counted: 0 means refused (and not counted). */
    remaining: number;
    /** Epoch seconds at which the oldest counted request leaves the window. */
    reset: number;
    /** The `max` the count was checked against. */
    total: number;
  }

  export default class RedisLimiter {
    constructor(options: { db: Redis; duration: number; namespace: string; max?: number });
    get(options: { id: string; max: number }): Promise<RedisLimit>;
  }
}
