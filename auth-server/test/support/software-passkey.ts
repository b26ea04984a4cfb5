import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

/**
 * A software WebAuthn authenticator, as a test computes what a browser and a security key would
 * answer: an ES256 (P-256) key per credential, attestation format `none`, assertions signed over
 * the authenticator data and the client data's hash (WebAuthn Level 3, 6.1 and 7.2). Every part of
 * an answer can be overridden, so a test can forge what an attacker would send.
 */

/** The few CBOR items WebAuthn needs (RFC 8949): integers, byte and text strings, maps. */
type Cbor = number | string | Buffer | Map<Cbor, Cbor>;

function cborHead(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  const head = Buffer.alloc(5);
  head[0] = (major << 5) | 26;
  head.writeUInt32BE(n, 1);
  return head;
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  if (typeof value === 'string')
    return Buffer.concat([cborHead(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([cborHead(2, value.length), value]);
  const entries = [...value].flatMap(([k, v]) => [cbor(k), cbor(v)]);
  return Buffer.concat([cborHead(5, value.size), ...entries]);
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();
const b64url = (data: Buffer) => data.toString('base64url');

/** Authenticator data flags (WebAuthn 6.1). */
const FLAG = { up: 0x01, uv: 0x04, be: 0x08, bs: 0x10, at: 0x40 } as const;

/** The options a server sent (the parts an authenticator reads). */
export interface CreationOptions {
  challenge: string;
  rp: { id?: string; name: string };
  user: { id: string; name: string; displayName: string };
  excludeCredentials?: { id: string }[];
  authenticatorSelection?: { residentKey?: string; userVerification?: string };
  attestation?: string;
  timeout?: number;
}
export interface RequestOptions {
  challenge: string;
  rpId?: string;
  allowCredentials?: { id: string }[];
  userVerification?: string;
}

/** What a ceremony may be made to say differently from the truth (an attacker's answer). */
export interface Forgery {
  /** The page's origin the browser reports (default: the passkey's). */
  origin?: string;
  /** The RP ID whose hash the authenticator data carries (default: the options'). */
  rpId?: string;
  /** `clientDataJSON.type` (default: `webauthn.create` / `webauthn.get`). */
  type?: string;
  challenge?: string;
  /** Whether the authenticator says it verified the person (default: the passkey's). */
  userVerified?: boolean;
  /** The signature counter reported (default: one more than the last). */
  counter?: number;
  /** The user handle sent (default: the one registered; `null`: none). */
  userHandle?: string | null;
  /** Sign with this key instead of the credential's own (a forged signature). */
  signWith?: KeyObject;
  /** Another credential id than this passkey's. */
  credentialId?: string;
}

export class SoftwarePasskey {
  readonly credentialId: string;
  readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  /** The last signature counter reported (registration reports 1, each use one more). */
  counter = 0;
  /** The user handle the server gave at registration (base64url). */
  userHandle: string | undefined;
  readonly origin: string;
  readonly options: { userVerified?: boolean; synced?: boolean; transports?: string[] };

  /**
   * `origin`: the pages' origin the browser would report; `userVerified`: whether this
   * authenticator verifies the person (a PIN or a fingerprint); `synced`: a multi-device passkey.
   */
  constructor(
    origin: string,
    options: { userVerified?: boolean; synced?: boolean; transports?: string[] } = {},
  ) {
    this.origin = origin;
    this.options = options;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.credentialId = b64url(randomBytes(32));
  }

  private rpIdOf(fromOptions: string | undefined, forged: Forgery): string {
    return forged.rpId ?? fromOptions ?? new URL(this.origin).hostname;
  }

  private flags(forged: Forgery, extra = 0): number {
    const uv = forged.userVerified ?? this.options.userVerified ?? true;
    const backup = this.options.synced ? FLAG.be | FLAG.bs : 0;
    return FLAG.up | (uv ? FLAG.uv : 0) | backup | extra;
  }

  private clientData(type: string, challenge: string, forged: Forgery): Buffer {
    return Buffer.from(
      JSON.stringify({
        type: forged.type ?? type,
        challenge: forged.challenge ?? challenge,
        origin: forged.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
  }

  /** The COSE_Key (RFC 9053: EC2, ES256, P-256) of the public key. */
  private coseKey(): Buffer {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
  }

  private counterBytes(value: number): Buffer {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value);
    return bytes;
  }

  /** The answer to `navigator.credentials.create(options)`, as @simplewebauthn/browser posts it. */
  register(options: CreationOptions, forged: Forgery = {}): Record<string, unknown> {
    this.userHandle = options.user.id;
    this.counter = forged.counter ?? 1;
    const id = Buffer.from(forged.credentialId ?? this.credentialId, 'base64url');
    const idLength = Buffer.from([id.length >> 8, id.length & 0xff]);
    const authData = Buffer.concat([
      sha256(this.rpIdOf(options.rp.id, forged)),
      Buffer.from([this.flags(forged, FLAG.at)]),
      this.counterBytes(this.counter),
      Buffer.alloc(16),
      idLength,
      id,
      this.coseKey(),
    ]);
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      authenticatorAttachment: 'cross-platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, forged)),
        attestationObject: b64url(attestationObject),
        transports: this.options.transports ?? ['usb'],
      },
    };
  }

  /** The answer to `navigator.credentials.get(options)`: a signed assertion. */
  answer(options: RequestOptions, forged: Forgery = {}): Record<string, unknown> {
    this.counter = forged.counter ?? this.counter + 1;
    const authData = Buffer.concat([
      sha256(this.rpIdOf(options.rpId, forged)),
      Buffer.from([this.flags(forged)]),
      this.counterBytes(this.counter),
    ]);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, forged);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(clientDataJSON)]),
      forged.signWith ?? this.privateKey,
    );
    const id = forged.credentialId ?? this.credentialId;
    const userHandle = forged.userHandle === undefined ? this.userHandle : forged.userHandle;
    return {
      id,
      rawId: id,
      type: 'public-key',
      authenticatorAttachment: 'cross-platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(userHandle === null || userHandle === undefined ? {} : { userHandle }),
      },
    };
  }
}
