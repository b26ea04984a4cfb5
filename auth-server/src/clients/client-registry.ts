import { randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  InvalidClientMetadataError,
  InvalidRequestError,
  NotFoundError,
  parseInput,
} from '@vectorauth/shared';
import type { Adapter, AdapterPayload, ClientMetadata, Provider } from 'oidc-provider';
import type { Revocations } from '../revocation/revocations.ts';
import { clientMetadataSchema } from './client-metadata-schema.ts';
import { clientPolicyProblems, type PolicyProblem, unsupportedMetadataProblems } from './client-policy.ts';

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
  setFirstParty(clientId: string, firstParty: boolean): Promise<RegisteredClient>;
  /** A new secret, shown once; optionally every token of the client dies with the old one. */
  rotateSecret(clientId: string, options: { revokeTokens: boolean }): Promise<RegisteredClient>;
  /** Deletes the client, its grants and tokens; its JWT access tokens die through the revocation list. */
  delete(clientId: string): Promise<void>;
  /** Everything but the client row itself, for a client oidc-provider already deleted (RFC 7592). */
  forget(clientId: string): Promise<void>;
}

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const withoutSecret = ({ client_secret: _, ...rest }: AdapterPayload): RegisteredClient =>
  rest as RegisteredClient;
const newSecret = () => randomBytes(32).toString('base64url');
const refuse = (problems: PolicyProblem[]) =>
  new InvalidClientMetadataError(problems[0]!.code, problems.map((p) => p.message).join('; '));

/** OAuth clients, stored through the same adapter oidc-provider reads them with (secrets sealed). */
export function createClientRegistry(deps: {
  provider: Provider;
  orm: MikroORM;
  adapter: new (model: string) => Adapter;
  revocations: Revocations;
}): ClientRegistry {
  const { provider, orm, revocations } = deps;
  const store = new deps.adapter('Client');
  const db = () => orm.em.getConnection();

  async function find(clientId: string): Promise<AdapterPayload> {
    const found = CLIENT_ID.test(clientId) ? await store.find(clientId) : undefined;
    if (!found) throw new NotFoundError('no such client');
    return found;
  }

  async function validate(payload: AdapterPayload): Promise<void> {
    try {
      await provider.Client.validate(payload as ClientMetadata);
    } catch (err) {
      const e = err as { error?: string; error_description?: string };
      const code = e.error === 'invalid_redirect_uri' ? 'invalid_redirect_uri' : 'invalid_client_metadata';
      throw new InvalidClientMetadataError(code, e.error_description ?? 'the client metadata is invalid');
    }
  }

  /** The client's grants and stored tokens (its registration access token survives unless the client goes). */
  async function dropGrantsAndTokens(clientId: string, withRegistration: boolean): Promise<void> {
    const keep = withRegistration ? ['Client'] : ['Client', 'RegistrationAccessToken'];
    await db().execute(
      `delete from oidc_model where payload->>'clientId' = ? and model not in (${keep.map(() => '?').join(', ')})`,
      [clientId, ...keep],
    );
    await db().execute('delete from grant_usage where client_id = ?', [clientId]);
  }

  return {
    async create(input, options = {}) {
      const policy = { dynamic: options.owner !== undefined };
      if (typeof input !== 'object' || input === null || Array.isArray(input))
        throw new InvalidClientMetadataError(
          'invalid_client_metadata',
          'the client metadata must be an object',
        );
      const unsupported = unsupportedMetadataProblems(input as Record<string, unknown>, policy);
      if (unsupported[0]) throw refuse(unsupported);
      let metadata: ReturnType<typeof clientMetadataSchema.parse>;
      try {
        metadata = parseInput(clientMetadataSchema, input);
      } catch (err) {
        if (!(err instanceof InvalidRequestError)) throw err;
        throw new InvalidClientMetadataError('invalid_client_metadata', err.message);
      }
      // The schema defaults `first_party` to false; a self-registration only must not *send* it.
      const { first_party: _, ...judged } = metadata;
      const problems = clientPolicyProblems(policy.dynamic ? judged : metadata, policy);
      if (problems[0]) throw refuse(problems);
      const grantTypes = metadata.grant_types ?? ['authorization_code'];
      const confidential = metadata.token_endpoint_auth_method !== 'none';
      const payload: AdapterPayload = {
        ...metadata,
        grant_types: grantTypes,
        response_types: grantTypes.includes('authorization_code') ? ['code'] : [],
        redirect_uris: metadata.redirect_uris ?? [],
        client_id: randomBytes(16).toString('base64url'),
        client_id_issued_at: Math.floor(Date.now() / 1000),
        ...(confidential ? { client_secret: newSecret(), client_secret_expires_at: 0 } : {}),
      };
      await validate(payload);
      await store.upsert(payload.client_id as string, payload, 0);
      if (options.owner) {
        await db().execute('insert into client_owner (client_id, account_id) values (?, ?)', [
          payload.client_id,
          options.owner,
        ]);
      }
      return payload as RegisteredClient;
    },

    async list() {
      const rows = await db().execute<{ id: string }[]>(
        "select id from oidc_model where model = 'Client' order by id",
      );
      const clients = await Promise.all(rows.map((r) => store.find(r.id)));
      return clients.filter((c): c is AdapterPayload => c !== undefined).map(withoutSecret);
    },

    async listOwnedBy(accountId) {
      const rows = await db().execute<{ client_id: string }[]>(
        'select client_id from client_owner where account_id = ? order by created_at desc',
        [accountId],
      );
      const clients = await Promise.all(rows.map((r) => store.find(r.client_id)));
      return clients.filter((c): c is AdapterPayload => c !== undefined).map(withoutSecret);
    },

    async get(clientId) {
      return withoutSecret(await find(clientId));
    },

    async isOwner(accountId, clientId) {
      if (!CLIENT_ID.test(clientId)) return false;
      const rows = await db().execute<unknown[]>(
        'select 1 from client_owner where client_id = ? and account_id = ?',
        [clientId, accountId],
      );
      return rows.length === 1;
    },

    async setFirstParty(clientId, firstParty) {
      const client = await find(clientId);
      const updated = { ...client, first_party: firstParty };
      await store.upsert(clientId, updated, 0);
      return withoutSecret(updated);
    },

    async rotateSecret(clientId, { revokeTokens }) {
      const client = await find(clientId);
      if (client.token_endpoint_auth_method === 'none') {
        throw new InvalidClientMetadataError(
          'invalid_client_metadata',
          'a public client has no secret to rotate',
        );
      }
      const updated = { ...client, client_secret: newSecret() };
      await store.upsert(clientId, updated, 0);
      if (revokeTokens) {
        await dropGrantsAndTokens(clientId, false);
        await revocations.revokeClient(clientId, 'client_secret_rotated');
      }
      return { client_id: clientId, client_secret: updated.client_secret as string };
    },

    async delete(clientId) {
      await find(clientId);
      await store.destroy(clientId);
      await this.forget(clientId);
    },

    async forget(clientId) {
      await dropGrantsAndTokens(clientId, true);
      await db().execute('delete from client_owner where client_id = ?', [clientId]);
      await revocations.revokeClient(clientId, 'client_deleted');
    },
  };
}
