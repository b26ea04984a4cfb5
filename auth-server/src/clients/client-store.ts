import type { MikroORM } from '@mikro-orm/postgresql';
import { NotFoundError } from '@vectorauth/shared';
import type { Adapter, AdapterPayload } from 'oidc-provider';

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether `clientId` has the shape of an id we issue (anything else is never looked up). */
export const isClientId = (clientId: string): boolean => CLIENT_ID.test(clientId);

/** Client rows, read and written through the adapter oidc-provider reads them with (secrets sealed). */
export interface ClientStore {
  /** The client, or `NotFoundError`. */
  find(clientId: string): Promise<AdapterPayload>;
  /** The clients of these ids that exist, in that order. */
  findEach(clientIds: string[]): Promise<AdapterPayload[]>;
  /** Every client id, in order. */
  ids(): Promise<string[]>;
  save(clientId: string, payload: AdapterPayload): Promise<void>;
  destroy(clientId: string): Promise<void>;
}

export function createClientStore(deps: {
  orm: MikroORM;
  adapter: new (model: string) => Adapter;
}): ClientStore {
  const store = new deps.adapter('Client');
  return {
    async find(clientId) {
      const found = isClientId(clientId) ? await store.find(clientId) : undefined;
      if (!found) throw new NotFoundError('no such client');
      return found;
    },
    async findEach(clientIds) {
      const clients = await Promise.all(clientIds.map((id) => store.find(id)));
      return clients.filter((c): c is AdapterPayload => c !== undefined);
    },
    async ids() {
      const rows = await deps.orm.em
        .getConnection()
        .execute<{ id: string }[]>("select id from oidc_model where model = 'Client' order by id");
      return rows.map((r) => r.id);
    },
    save: (clientId, payload) => store.upsert(clientId, payload, 0),
    destroy: (clientId) => store.destroy(clientId),
  };
}
