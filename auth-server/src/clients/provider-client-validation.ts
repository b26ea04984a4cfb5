import { InvalidClientMetadataError } from '@vectorauth/shared';
import type { AdapterPayload, ClientMetadata, Provider } from 'oidc-provider';

/** oidc-provider's own judgement of a client, its refusal as RFC 7591's error. */
export async function validateWithProvider(provider: Provider, payload: AdapterPayload): Promise<void> {
  try {
    await provider.Client.validate(payload as ClientMetadata);
  } catch (err) {
    const e = err as { error?: string; error_description?: string };
    const code = e.error === 'invalid_redirect_uri' ? 'invalid_redirect_uri' : 'invalid_client_metadata';
    throw new InvalidClientMetadataError(code, e.error_description ?? 'the client metadata is invalid');
  }
}
