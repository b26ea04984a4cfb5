import type { MikroORM } from '@mikro-orm/postgresql';

/** Which console user registered which client (`client_owner`). */
export interface ClientOwners {
  add(clientId: string, accountId: string): Promise<void>;
  /** The clients `accountId` registered, newest first. */
  clientsOf(accountId: string): Promise<string[]>;
  isOwner(accountId: string, clientId: string): Promise<boolean>;
  /** The account that registered the client in the console, if one did. */
  ownerOf(clientId: string): Promise<string | undefined>;
  forget(clientId: string): Promise<void>;
}

export function createClientOwners(orm: MikroORM): ClientOwners {
  const db = () => orm.em.getConnection();
  return {
    async add(clientId, accountId) {
      await db().execute('insert into client_owner (client_id, account_id) values (?, ?)', [
        clientId,
        accountId,
      ]);
    },
    async clientsOf(accountId) {
      const rows = await db().execute<{ client_id: string }[]>(
        'select client_id from client_owner where account_id = ? order by created_at desc',
        [accountId],
      );
      return rows.map((r) => r.client_id);
    },
    async isOwner(accountId, clientId) {
      const rows = await db().execute<unknown[]>(
        'select 1 from client_owner where client_id = ? and account_id = ?',
        [clientId, accountId],
      );
      return rows.length === 1;
    },
    async ownerOf(clientId) {
      const rows = await db().execute<{ account_id: string }[]>(
        'select account_id from client_owner where client_id = ?',
        [clientId],
      );
      return rows[0]?.account_id;
    },
    async forget(clientId) {
      await db().execute('delete from client_owner where client_id = ?', [clientId]);
    },
  };
}
