import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import { InvalidClientMetadataError, NotFoundError, parseInput } from '@vectorauth/shared';
import type { Adapter, AdapterPayload, ClientMetadata, Provider } from 'oidc-provider';
import type { Revocations } from '../revocation/revocations.ts';
import { clientMetadataSchema } from './client-metadata-schema.ts';

export interface RegisteredClient {
  client_id: string;
  client_secret?: string;
  [key: string]: unknown;
}

export interface ClientRegistry {
  /** Validates metadata, generates the id and (for confidential clients) the secret, stores it. */
  create(input: unknown): Promise<RegisteredClient>;
  list(): Promise<RegisteredClient[]>;
  get(clientId: string): Promise<RegisteredClient>;
  delete(clientId: string): Promise<void>;
}

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const withoutSecret = ({ client_secret: _, ...rest }: AdapterPayload): RegisteredClient =>
  rest as RegisteredClient;

/** OAuth clients, stored through the same adapter oidc-provider reads them with. */
export function createClientRegistry(deps: {
  provider: Provider;
  orm: MikroORM;
  adapter: new (model: string) => Adapter;
  revocations: Revocations;
}): ClientRegistry {
  const { provider, orm } = deps;
  const store = new deps.adapter('Client');

  async function find(clientId: string): Promise<AdapterPayload> {
    const found = CLIENT_ID.test(clientId) ? await store.find(clientId) : undefined;
    if (!found) throw new NotFoundError('no such client');
    return found;
  }

  return {
    async create(input) {
      const metadata = parseInput(clientMetadataSchema, input);
      const grantTypes = metadata.grant_types ?? ['authorization_code'];
      const confidential = metadata.token_endpoint_auth_method !== 'none';
      const payload: AdapterPayload = {
        ...metadata,
        grant_types: grantTypes,
        response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
        redirect_uris: metadata.redirect_uris ?? [],
        client_id: randomBytes(16).toString('base64url'),
        client_id_issued_at: Math.floor(Date.now() / 1000),
        ...(confidential
          ? { client_secret: randomBytes(32).toString('base64url'), client_secret_expires_at: 0 }
          : {}),
      };
      try {
        await provider.Client.validate(payload as ClientMetadata);
      } catch (err) {
        const e = err as { error?: string; error_description?: string };
        const code = e.error === 'invalid_redirect_uri' ? 'invalid_redirect_uri' : 'invalid_client_metadata';
        throw new InvalidClientMetadataError(code, e.error_description ?? 'the client metadata is invalid');
      }
      await store.upsert(payload.client_id as string, payload, 0);
      return payload as RegisteredClient;
    },

    async list() {
      const rows = await orm.em
        .getConnection()
        .execute<{ id: string }[]>("select id from oidc_model where model = 'Client' order by id");
      const clients = await Promise.all(rows.map((r) => store.find(r.id)));
      return clients.filter((c): c is AdapterPayload => c !== undefined).map(withoutSecret);
    },

    async get(clientId) {
      return withoutSecret(await find(clientId));
    },

    async delete(clientId) {
      await find(clientId);
      await store.destroy(clientId);
      await deps.revocations.revokeClient(clientId);
    },
  };
}
