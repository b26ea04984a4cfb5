import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';

/**
 * RFC 6238 as every authenticator app reads it: HMAC-SHA1, six digits, 30-second time steps. The
 * one module that imports `otpauth`.
 */
const PARAMETERS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
/** 160 bits, the HMAC-SHA1 key size RFC 4226 recommends. */
const SECRET_BYTES = 20;

const totpOf = (secret: Buffer, naming: { issuer?: string; label?: string } = {}) =>
  new OTPAuth.TOTP({
    ...PARAMETERS,
    ...naming,
    secret: new OTPAuth.Secret({ buffer: Uint8Array.from(secret).buffer }),
  });

/** A new random TOTP secret. */
export const newTotpSecret = (): Buffer => randomBytes(SECRET_BYTES);

/** The secret as an authenticator app takes it typed: base32, in groups of four for reading. */
export const readableSecret = (secret: Buffer): string =>
  (totpOf(secret).secret.base32.match(/.{1,4}/g) ?? []).join(' ');

/** The `otpauth://totp/...` key URI a QR code carries (issuer and account name shown in the app). */
export const totpKeyUri = (secret: Buffer, issuer: string, label: string): string =>
  totpOf(secret, { issuer, label }).toString();

/** Whether `code` looks like a TOTP code (six digits) rather than a recovery code or a password. */
export const isTotpCode = (code: string): boolean => /^\d{6}$/.test(code);

/**
 * The time step `code` belongs to, checked at `nowMs` with one step of clock drift either way; or
 * undefined when it matches none of them. The caller refuses a step already used (replay).
 */
export function totpStepOf(secret: Buffer, code: string, nowMs = Date.now()): number | undefined {
  if (!isTotpCode(code)) return undefined;
  const totp = totpOf(secret);
  const delta = totp.validate({ token: code, timestamp: nowMs, window: 1 });
  return delta === null ? undefined : totp.counter({ timestamp: nowMs }) + delta;
}
