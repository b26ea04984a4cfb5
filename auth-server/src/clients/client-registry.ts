import type { MikroORM } from '@mikro-orm/postgresql';
import { InvalidClientMetadataError } from '@vectorauth/shared';
import type { Adapter, AdapterPayload, Provider } from 'oidc-provider';
import type { ApiKeys } from '../api-keys/api-keys.ts';
import type { Revocations } from '../revocation/revocations.ts';
import { dropClientGrantsAndTokens } from './client-grants-and-tokens.ts';
import { parseClientMetadata } from './client-metadata.ts';
import { createClientOwners } from './client-owners.ts';
import { createClientStore, isClientId } from './client-store.ts';
import { newClientPayload, newClientSecret } from './new-client.ts';
import { validateWithProvider } from './provider-client-validation.ts';

export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
  [key: string]: unknown;
}

export interface ClientRegistry {
  /**
   * Validates metadata against the schema, our policy and oidc-provider; generates the id and (for
   * confidential clients) a 256-bit secret, returned only here. `owner` records the console user,
   * who registers under the self-registration policy (no `first_party`, no `admin` scope).
   * Every refusal is RFC 7591's `invalid_client_metadata` / `invalid_redirect_uri`.
   */
  create(input: unknown, options?: { owner?: string }): Promise<RegisteredClient>;
  list(): Promise<RegisteredClient[]>;
  listOwnedBy(accountId: string): Promise<RegisteredClient[]>;
  get(clientId: string): Promise<RegisteredClient>;
  /** Whether `accountId` registered the client (console access checks). */
  isOwner(accountId: string, clientId: string): Promise<boolean>;
  /** The account that registered the client in the developer console, if one did. */
  ownerOf(clientId: string): Promise<string | undefined>;
  /** Records `accountId` as the developer of a client registered by other means (RFC 7591 with their token). */
  recordOwner(clientId: string, accountId: string): Promise<void>;
  setFirstParty(clientId: string, firstParty: boolean): Promise<RegisteredClient>;
  /** A new secret, shown once; optionally every token of the client dies with the old one. */
  rotateSecret(clientId: string, options: { revokeTokens: boolean }): Promise<RegisteredClient>;
  /** Deletes the client, its grants and tokens; its JWT access tokens die through the revocation list. */
  delete(clientId: string): Promise<void>;
  /** Everything but the client row itself, for a client oidc-provider already deleted (RFC 7592). */
  forget(clientId: string): Promise<void>;
}

const withoutSecret = ({ client_secret: _, ...rest }: AdapterPayload): RegisteredClient =>
  rest as RegisteredClient;

/** OAuth clients, stored through the same adapter oidc-provider reads them with (secrets sealed). */
export function createClientRegistry(deps: {
  provider: Provider;
  orm: MikroORM;
  adapter: new (model: string) => Adapter;
  revocations: Revocations;
  /** A client's API keys go with it. */
  apiKeys: Pick<ApiKeys, 'revokeAllOf'>;
}): ClientRegistry {
  const { provider, orm, revocations } = deps;
  const store = createClientStore(deps);
  const owners = createClientOwners(orm);

  return {
    async create(input, options = {}) {
      const metadata = parseClientMetadata(input, { dynamic: options.owner !== undefined });
      const payload = newClientPayload(metadata);
      await validateWithProvider(provider, payload);
      await store.save(payload.client_id as string, payload);
      if (options.owner) await owners.add(payload.client_id as string, options.owner);
      return payload as RegisteredClient;
    },

    async list() {
      return (await store.findEach(await store.ids())).map(withoutSecret);
    },

    async listOwnedBy(accountId) {
      return (await store.findEach(await owners.clientsOf(accountId))).map(withoutSecret);
    },

    async get(clientId) {
      return withoutSecret(await store.find(clientId));
    },

    async isOwner(accountId, clientId) {
      return isClientId(clientId) && owners.isOwner(accountId, clientId);
    },

    async ownerOf(clientId) {
      return isClientId(clientId) ? owners.ownerOf(clientId) : undefined;
    },

    async recordOwner(clientId, accountId) {
      await owners.add(clientId, accountId);
    },

    async setFirstParty(clientId, firstParty) {
      const updated = { ...(await store.find(clientId)), first_party: firstParty };
      await store.save(clientId, updated);
      return withoutSecret(updated);
    },

    async rotateSecret(clientId, { revokeTokens }) {
      const client = await store.find(clientId);
      if (client.token_endpoint_auth_method === 'none') {
        throw new InvalidClientMetadataError(
          'invalid_client_metadata',
          'a public client has no secret to rotate',
        );
      }
      const updated = { ...client, client_secret: newClientSecret() };
      await store.save(clientId, updated);
      if (revokeTokens) {
        await dropClientGrantsAndTokens(orm, clientId, false, (grantId) =>
          revocations.revokeGrant(grantId, 'client_secret_rotated'),
        );
        await revocations.revokeClient(clientId, 'client_secret_rotated');
      }
      return { client_id: clientId, client_secret: updated.client_secret };
    },

    async delete(clientId) {
      await store.find(clientId);
      await store.destroy(clientId);
      await this.forget(clientId);
    },

    async forget(clientId) {
      await dropClientGrantsAndTokens(orm, clientId, true, (grantId) =>
        revocations.revokeGrant(grantId, 'client_deleted'),
      );
      await owners.forget(clientId);
      await deps.apiKeys.revokeAllOf(clientId, 'client_deleted');
      await revocations.revokeClient(clientId, 'client_deleted');
    },
  };
}
