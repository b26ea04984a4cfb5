import { createHash } from 'node:crypto';
import { decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose';
import { InvalidDpopProofError, UseDpopNonceError } from '../errors/errors.ts';
import { compactJwsProblem } from './compact-jws-problem.ts';
import type { DpopNonces } from './dpop-nonces.ts';

/** What one request offers for its DPoP-bound access token (RFC 9449 section 7). */
export interface DpopPresentation {
  /** Every `DPoP` header line the request carried (exactly one is accepted). */
  proofs: readonly string[];
  method: string;
  /** The URL the client addressed, as the resource server's public URL says (query and fragment ignored). */
  url: string;
  accessToken: string;
  /** The token's `cnf.jkt`: the thumbprint of the key it is bound to. */
  jkt: string;
}

/** A proof that passed every check but the `jti` replay check, which needs the shared cache. */
export interface DpopProof {
  jti: string;
  /** The key its `jti` is remembered under in the replay cache, and for how long (ms). */
  replayKey: string;
  replayTtlMs: number;
  /** With server nonces: the one to hand the client now (`DPoP-Nonce` on the answer). */
  nonce?: string;
}

export interface DpopProofVerifier {
  /** The proof algorithms accepted, for challenges and metadata. */
  algorithms: readonly string[];
  verify(presentation: DpopPresentation): Promise<DpopProof>;
}

export interface DpopProofOptions {
  realm?: string;
  algorithms?: readonly string[];
  /** How old (by its `iat`) a proof may be, in seconds (default 60). */
  maxAgeSec?: number;
  /** Clock skew allowed either way, in seconds (default 5). */
  clockToleranceSec?: number;
  now?: () => number;
  /** Client keys kept imported, with their thumbprints (default 10 000; a client signs every proof with one). */
  keyCacheSize?: number;
  /** When given, every proof must carry one of these server nonces (RFC 9449 section 9). */
  nonces?: DpopNonces;
}

/** Asymmetric algorithms only: a proof signed with a shared secret proves no key possession. */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'Ed25519', 'PS256', 'RS256'] as const;
const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

/** `htu` as RFC 9449 section 4.3 compares it: scheme, host, port and path, without query or fragment. */
export function dpopTarget(url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * The URL a request addressed, from the service's public URL (what clients use, also behind a
 * proxy) and the request's path: a public URL with a path of its own prefixes it unless the
 * proxy passed it through.
 */
export function publicRequestUrl(publicUrl: string, path: string): string {
  const base = new URL(publicUrl);
  const prefix = base.pathname.replace(/\/$/, '');
  const full = prefix === '' || path === prefix || path.startsWith(`${prefix}/`) ? path : `${prefix}${path}`;
  return `${base.origin}${full}`;
}

/**
 * The public keys proofs carry, imported once: a client signs each of its proofs with the same
 * key, so only the signature is checked per request. Keyed by the algorithm and the key's RFC 7638
 * thumbprint, computed (and compared with the token's `cnf.jkt`) before anything is imported or
 * kept: only keys some valid token is bound to are held, whatever else a proof's `jwk` carries.
 * The oldest goes first past `capacity`.
 */
function createProofKeyCache(capacity: number) {
  const cache = new Map<string, Promise<Awaited<ReturnType<typeof importJWK>>>>();
  return {
    of(alg: string, jkt: string, jwk: JWK) {
      const id = `${alg}:${jkt}`;
      let entry = cache.get(id);
      if (!entry) {
        entry = importJWK(jwk, alg);
        entry.catch(() => cache.delete(id));
        cache.set(id, entry);
        if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
      }
      return entry;
    },
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** RFC 7638 section 3.2: the members a key's thumbprint covers, by key type, in lexical order. */
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK (what `cnf.jkt` holds), computed here on the
 * request's thread: the required members only, in lexical order, as JSON without whitespace.
 * `undefined` for a key type without one or a member missing (such a proof is refused).
 */
export function jwkThumbprint(jwk: JWK): string | undefined {
  const members = THUMBPRINT_MEMBERS[String(jwk.kty)];
  if (!members) return undefined;
  const canonical: Record<string, string> = {};
  for (const member of members) {
    const value = (jwk as Record<string, unknown>)[member];
    if (typeof value !== 'string' || value === '') return undefined;
    canonical[member] = value;
  }
  return sha256(JSON.stringify(canonical));
}

/**
 * Checks a DPoP proof against its request and access token (RFC 9449 section 4.3, and 7.1 for
 * the token's binding): one compact JWS, `typ: dpop+jwt`, an allowed asymmetric `alg`, a public
 * `jwk` in its header that verifies its signature and whose thumbprint is the token's `cnf.jkt`,
 * `htm` and `htu` of this request, `iat` within the allowed age, a `jti`, and `ath` the hash of
 * this access token. No member twice. Whether its `jti` was seen before is the caller's check
 * (`replayKey`), in the same Redis round trip as the token's other checks.
 */
export function createDpopProofVerifier(options: DpopProofOptions = {}): DpopProofVerifier {
  const realm = options.realm ?? 'vector-api';
  const algorithms = [...(options.algorithms ?? DPOP_ALGORITHMS)];
  const maxAgeSec = options.maxAgeSec ?? 60;
  const toleranceSec = options.clockToleranceSec ?? 5;
  const now = options.now ?? Date.now;
  const refuse = (message: string) => new InvalidDpopProofError(message, realm);
  const keys = createProofKeyCache(options.keyCacheSize ?? 10_000);

  return {
    algorithms,
    async verify({ proofs, method, url, accessToken, jkt }) {
      if (proofs.length !== 1) throw refuse('the request must carry exactly one DPoP proof');
      const proof = proofs[0] as string;
      const problem = compactJwsProblem(proof, MAX_PROOF_LENGTH);
      if (problem === 'ambiguous') throw refuse('the DPoP proof is ambiguous (a member appears twice)');
      if (problem) throw refuse(`the DPoP proof is ${problem}`);
      let header: { typ?: unknown; alg?: unknown; jwk?: unknown };
      try {
        header = decodeProtectedHeader(proof);
      } catch {
        throw refuse('the DPoP proof header is malformed');
      }
      const { jwk, alg } = header;
      if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
        throw refuse('the DPoP proof carries no public key (jwk)');
      if (PRIVATE_MEMBERS.some((member) => member in jwk))
        throw refuse('the DPoP proof key must be a public key');
      if (typeof alg !== 'string' || !algorithms.includes(alg))
        throw refuse('the DPoP proof is signed with a refused algorithm');
      const { use, alg: keyAlg } = jwk as { use?: unknown; alg?: unknown };
      if ((use !== undefined && use !== 'sig') || (keyAlg !== undefined && keyAlg !== alg))
        throw refuse('the DPoP proof key is not for signing with its algorithm');
      const thumbprint = jwkThumbprint(jwk as JWK);
      if (thumbprint !== jkt)
        throw refuse('the DPoP proof is not signed by the key the access token is bound to');
      const key = await keys.of(alg, jkt, jwk as JWK).catch(() => {
        throw refuse('the DPoP proof key is not usable with its algorithm');
      });
      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(proof, key, {
          typ: 'dpop+jwt',
          algorithms: [alg],
          currentDate: new Date(now()),
        }));
      } catch {
        throw refuse('the DPoP proof does not verify (type or signature)');
      }
      const nonces = options.nonces;
      if (nonces && (typeof payload.nonce !== 'string' || !nonces.accepts(payload.nonce))) {
        throw new UseDpopNonceError(
          'the DPoP proof must carry the nonce this server gives in DPoP-Nonce',
          realm,
          nonces.current(),
        );
      }
      const { jti, htm, htu, iat, ath } = payload;
      if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_LENGTH)
        throw refuse('the DPoP proof needs a jti');
      if (htm !== method) throw refuse('the DPoP proof was made for another method (htm)');
      if (typeof htu !== 'string' || dpopTarget(htu) !== dpopTarget(url))
        throw refuse('the DPoP proof was made for another URL (htu)');
      const nowSec = now() / 1000;
      if (typeof iat !== 'number' || !Number.isFinite(iat))
        throw refuse('the DPoP proof needs an issue time (iat)');
      if (iat > nowSec + toleranceSec) throw refuse('the DPoP proof is issued in the future');
      if (iat < nowSec - maxAgeSec - toleranceSec) throw refuse('the DPoP proof is too old');
      if (ath !== sha256(accessToken)) throw refuse('the DPoP proof was made for another access token (ath)');
      return {
        jti,
        replayKey: `dpop:jti:${sha256(`${jkt}.${jti}`)}`,
        // Past any clock's window, with a minute to spare for clocks that disagree between instances.
        replayTtlMs: (maxAgeSec + 2 * toleranceSec + 60) * 1000,
        ...(nonces ? { nonce: nonces.current() } : {}),
      };
    },
  };
}
