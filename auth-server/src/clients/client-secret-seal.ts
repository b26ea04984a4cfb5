import type { AadContext, MasterKeyring } from '@vectorauth/shared';
import type { AdapterPayload } from 'oidc-provider';

/** The AAD a client secret is wrapped under: bound to its client. */
export const SECRET_AAD = (clientId: string): AadContext => ({ purpose: 'client-secret', clientId });

/** How a client secret rests in the client's stored payload (base64 ciphertext). */
export interface SealedClientSecret {
  keyId: string;
  ciphertext: string;
}

/** Client secrets sealed at rest: what the adapter stores instead of `client_secret`, and back. */
export interface ClientSecretSeal {
  /** The payload to store: `client_secret` replaced by `sealed_client_secret` (unchanged without a secret). */
  seal(clientId: string, payload: AdapterPayload): AdapterPayload;
  /** The payload oidc-provider reads: `sealed_client_secret` opened back into `client_secret`. */
  open(clientId: string, payload: AdapterPayload): AdapterPayload;
}

/** Seals client secrets with the master keyring (the first key wraps, every key unwraps). */
export function createClientSecretSeal(keyring: MasterKeyring): ClientSecretSeal {
  return {
    seal(clientId, payload) {
      if (typeof payload.client_secret !== 'string') return payload;
      const wrapped = keyring.wrap(Buffer.from(payload.client_secret), SECRET_AAD(clientId));
      const sealed: SealedClientSecret = {
        keyId: wrapped.keyId,
        ciphertext: wrapped.ciphertext.toString('base64'),
      };
      return { ...payload, client_secret: undefined, sealed_client_secret: sealed };
    },

    open(clientId, payload) {
      const sealed = payload.sealed_client_secret as SealedClientSecret | undefined;
      if (!sealed) return payload;
      const { sealed_client_secret: _, ...rest } = payload;
      const secret = keyring.unwrap(
        { keyId: sealed.keyId, ciphertext: Buffer.from(sealed.ciphertext, 'base64') },
        SECRET_AAD(clientId),
      );
      return { ...rest, client_secret: secret.toString('utf8') };
    },
  };
}
