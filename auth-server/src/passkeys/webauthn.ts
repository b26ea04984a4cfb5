import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { AuthenticationAnswer, RegistrationAnswer } from './passkey-response.ts';

/**
 * WebAuthn (W3C Level 3) through @simplewebauthn/server: the one module that imports it. Its
 * errors (it throws a plain `Error` for every malformed or refused answer) end here, as `undefined`:
 * the caller says why in its own words.
 */

/** Who passkeys are for: `id` is the RP ID (a domain: the issuer's host or a parent of it), `origin` where the pages are served. */
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

export type RegistrationOptions = PublicKeyCredentialCreationOptionsJSON;
export type AuthenticationOptions = PublicKeyCredentialRequestOptionsJSON;

/** The person has this long to answer their browser (the challenge lives a little longer). */
const TIMEOUT_MS = 120_000;
/**
 * COSE algorithms a new passkey may use: EdDSA, ES256, RS256 (what authenticators make). Named
 * here rather than the library's default, which probes the runtime for ML-DSA (experimental in
 * Node: a warning on every start).
 */
const ALGORITHMS = [-8, -7, -257];

/** Our challenge (base64url) as the bytes the browser signs over, base64url-encoded again in `clientDataJSON`. */
const challengeBytes = (challenge: string) => new Uint8Array(Buffer.from(challenge, 'base64url'));

/** What every answer is checked against: our challenge, our origin, our RP ID. */
const expectationsOf = (expected: { rp: RelyingParty; challenge: string }) => ({
  expectedChallenge: expected.challenge,
  expectedOrigin: expected.rp.origin,
  expectedRPID: expected.rp.id,
});

/** What a verified registration adds. */
export interface RegisteredKey {
  credentialId: string;
  publicKey: Buffer;
  counter: number;
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  userVerified: boolean;
}

/** What a verified sign-in answer reports. */
export interface VerifiedUse {
  counter: number;
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  userVerified: boolean;
}

/**
 * Options of `navigator.credentials.create`: a discoverable credential (`residentKey: required`, so
 * every passkey also signs in without a password), user verification preferred, no attestation
 * (we trust no maker's list, so we ask for none), the account's passkeys excluded (one per
 * authenticator).
 */
export function registrationOptions(input: {
  rp: RelyingParty;
  userHandle: Buffer;
  userName: string;
  challenge: string;
  exclude: { credentialId: string; transports: string[] }[];
}): Promise<RegistrationOptions> {
  return generateRegistrationOptions({
    rpName: input.rp.name,
    rpID: input.rp.id,
    userID: new Uint8Array(input.userHandle),
    userName: input.userName,
    userDisplayName: input.userName,
    // As bytes: a string would be taken as text and sent base64url-encoded once more.
    challenge: challengeBytes(input.challenge),
    timeout: TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: input.exclude.map((c) => ({ id: c.credentialId, transports: c.transports })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    supportedAlgorithmIDs: ALGORITHMS,
  });
}

/**
 * Options of `navigator.credentials.get`: `allow` empty lets the person pick any passkey of ours
 * (passwordless); `userVerification` `required` when the answer must count as two factors alone.
 */
export function authenticationOptions(input: {
  rp: RelyingParty;
  challenge: string;
  allow: { credentialId: string; transports: string[] }[];
  userVerification: 'preferred' | 'required';
}): Promise<AuthenticationOptions> {
  return generateAuthenticationOptions({
    rpID: input.rp.id,
    challenge: challengeBytes(input.challenge),
    timeout: TIMEOUT_MS,
    allowCredentials: input.allow.map((c) => ({ id: c.credentialId, transports: c.transports })),
    userVerification: input.userVerification,
  });
}

/**
 * A registration answer checked against the challenge (already spent by the caller), our origin
 * and RP ID: its type, the user's presence, the attestation (format `none` or a self-signed one)
 * and the key. Undefined when anything is wrong.
 */
export async function verifyRegistration(
  answer: RegistrationAnswer,
  expected: { rp: RelyingParty; challenge: string },
): Promise<RegisteredKey | undefined> {
  try {
    const verified = await verifyRegistrationResponse({
      response: answer,
      ...expectationsOf(expected),
      requireUserVerification: false,
      supportedAlgorithmIDs: ALGORITHMS,
    });
    if (!verified.verified) return undefined;
    const info = verified.registrationInfo;
    return {
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey),
      counter: info.credential.counter,
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      userVerified: info.userVerified,
    };
  } catch {
    return undefined;
  }
}

/**
 * A sign-in answer checked against the challenge (already spent by the caller), our origin and RP
 * ID, the stored public key: its type, the user's presence (and verification when
 * `requireUserVerification`), the signature. The counter is the caller's to compare (a clone is
 * told apart from a forgery only once the signature holds). Undefined when anything is wrong.
 */
export async function verifyAuthentication(
  answer: AuthenticationAnswer,
  expected: {
    rp: RelyingParty;
    challenge: string;
    credential: { credentialId: string; publicKey: Buffer; transports: string[] };
    requireUserVerification: boolean;
  },
): Promise<VerifiedUse | undefined> {
  try {
    const verified = await verifyAuthenticationResponse({
      response: answer,
      ...expectationsOf(expected),
      credential: {
        id: expected.credential.credentialId,
        publicKey: new Uint8Array(expected.credential.publicKey),
        // The library's own counter check is off (0): the caller compares after the signature holds.
        counter: 0,
        transports: expected.credential.transports,
      },
      requireUserVerification: expected.requireUserVerification,
    });
    if (!verified.verified) return undefined;
    const info = verified.authenticationInfo;
    return {
      counter: info.newCounter,
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      userVerified: info.userVerified,
    };
  } catch {
    return undefined;
  }
}
