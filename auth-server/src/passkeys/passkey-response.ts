import { z } from 'zod';

/**
 * What a browser answers a WebAuthn ceremony with, as @simplewebauthn/browser serialises it
 * (`RegistrationResponseJSON`, `AuthenticationResponseJSON`), read from a posted form field and
 * checked for shape before anything looks it up or verifies it: anything else is no answer.
 */

/** base64url of at most `bytes` bytes (a credential id is at most 1023 bytes). */
const base64url = (bytes: number) =>
  z
    .string()
    .min(1)
    .max(Math.ceil((bytes * 4) / 3))
    .regex(/^[A-Za-z0-9_-]+$/);

/** The transports WebAuthn names; any other word is dropped (they are only hints). */
export const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;
const transports = z
  .array(z.string().max(32))
  .max(10)
  .transform((list) => list.filter((t): t is (typeof TRANSPORTS)[number] => TRANSPORTS.some((w) => w === t)));

const common = {
  id: base64url(1023),
  rawId: base64url(1023),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
};

const registrationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: base64url(2048),
    attestationObject: base64url(6144),
    authenticatorData: base64url(4096).optional(),
    transports: transports.default([]),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(2048).optional(),
  }),
});

const authenticationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: base64url(2048),
    authenticatorData: base64url(2048),
    signature: base64url(1024),
    userHandle: base64url(64).optional(),
  }),
});

export type RegistrationAnswer = z.infer<typeof registrationSchema>;
export type AuthenticationAnswer = z.infer<typeof authenticationSchema>;

function read<T>(schema: z.ZodType<T>, posted: string | undefined): T | undefined {
  if (!posted) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(posted);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** A registration answer (`navigator.credentials.create`), or undefined when the field holds none. */
export const readRegistrationAnswer = (posted: string | undefined): RegistrationAnswer | undefined =>
  read(registrationSchema, posted);

/** A sign-in answer (`navigator.credentials.get`), or undefined when the field holds none. */
export const readAuthenticationAnswer = (posted: string | undefined): AuthenticationAnswer | undefined =>
  read(authenticationSchema, posted);

/**
 * The challenge the browser says it answered (its `clientDataJSON`), to spend before verifying;
 * undefined when that is not readable. The signature verification then proves it was signed.
 */
export function challengeOf(answer: { response: { clientDataJSON: string } }): string | undefined {
  try {
    const clientData = JSON.parse(Buffer.from(answer.response.clientDataJSON, 'base64url').toString('utf8'));
    return typeof clientData?.challenge === 'string' ? clientData.challenge : undefined;
  } catch {
    return undefined;
  }
}
