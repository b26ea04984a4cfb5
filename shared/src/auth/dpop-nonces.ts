import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** Server-provided DPoP nonces (RFC 9449 section 9), the same at every instance that shares the secret. */
export interface DpopNonces {
  /** The nonce to hand out now. */
  current(): string;
  /** Whether `nonce` was handed out by an instance with this secret in this window or the last. */
  accepts(nonce: string): boolean;
}

const NONCE = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Stateless nonces: the window number (every `windowSec`) and an HMAC of it under a key derived
 * from `secret` (the master key every instance has): no store, no coordination, and a nonce is
 * good for one to two windows. A clock skew between instances below a window is harmless.
 */
export function createDpopNonces(
  secret: Buffer,
  options: { windowSec?: number; now?: () => number } = {},
): DpopNonces {
  const windowMs = (options.windowSec ?? 60) * 1000;
  const now = options.now ?? Date.now;
  const key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'vectorauth dpop nonce', 32));
  const mac = (window: number) => createHmac('sha256', key).update(String(window)).digest().subarray(0, 18);
  const nonceOf = (window: number) =>
    `${window.toString(36)}-${mac(window).toString('base64url')}`.slice(0, 64);
  return {
    current: () => nonceOf(Math.floor(now() / windowMs)),
    accepts(nonce) {
      if (!NONCE.test(nonce)) return false;
      if (!nonce.includes('-')) return false;
      const [windowText, tag] = splitOnce(nonce);
      const window = Number.parseInt(windowText, 36);
      const current = Math.floor(now() / windowMs);
      if (!Number.isSafeInteger(window) || window > current || window < current - 1) return false;
      const expected = mac(window);
      const given = Buffer.from(tag, 'base64url');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

/** `a-b-c` -> ['a', 'b-c']: the tag is base64url, which may hold `-`. */
function splitOnce(text: string): [string, string] {
  const at = text.indexOf('-');
  return [text.slice(0, at), text.slice(at + 1)];
}
