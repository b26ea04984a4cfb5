import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Provider } from 'oidc-provider';
import { REGISTRATION_POLICY } from '../oidc/registration-features.ts';

/** An initial access token as the console lists it: never its value, which was shown once. */
export interface ListedInitialAccessToken {
  id: string;
  createdAt: Date;
  expiresAt: Date;
}

/** RFC 7591 initial access tokens made in the developer console, each owned by its account. */
export interface ConsoleInitialAccessTokens {
  /** A new token (our registration policy), its value shown once, and its expiry. */
  issue(accountId: string, expiresInSec: number): Promise<{ value: string; expiresAt: Date }>;
  /** The account's tokens that still work, newest first. */
  list(accountId: string): Promise<ListedInitialAccessToken[]>;
  /** Deletes the account's token `id`; false when the account has no such token. */
  remove(accountId: string, id: string): Promise<boolean>;
  /** The account that made the token oidc-provider knows as `tokenId`, if the console made it. */
  ownerOf(tokenId: string): Promise<string | undefined>;
  /** Deletes every token the account made: they die with its sessions and grants. */
  removeAllOf(accountId: string): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createConsoleInitialAccessTokens(deps: {
  orm: MikroORM;
  provider: Provider;
}): ConsoleInitialAccessTokens {
  const db = () => deps.orm.em.getConnection();
  return {
    async issue(accountId, expiresInSec) {
      const token = new deps.provider.InitialAccessToken({
        expiresIn: expiresInSec,
        policies: [REGISTRATION_POLICY],
      });
      const value = await token.save();
      const expiresAt = new Date(Date.now() + expiresInSec * 1000);
      // Expired ones are of no use any more: forgotten as new ones are made.
      await db().execute('delete from console_initial_access_token where expires_at <= now()');
      await db().execute(
        'insert into console_initial_access_token (id, token_id, account_id, expires_at) values (?, ?, ?, ?)',
        [randomUUID(), token.jti, accountId, expiresAt],
      );
      return { value, expiresAt };
    },
    async list(accountId) {
      const rows = await db().execute<{ id: string; created_at: Date | string; expires_at: Date | string }[]>(
        `select id, created_at, expires_at from console_initial_access_token
          where account_id = ? and expires_at > now() order by created_at desc`,
        [accountId],
      );
      // As Dates whichever way the driver hands timestamps over.
      return rows.map((r) => ({
        id: r.id,
        createdAt: new Date(r.created_at),
        expiresAt: new Date(r.expires_at),
      }));
    },
    async removeAllOf(accountId) {
      await db().execute(
        `with gone as (delete from console_initial_access_token where account_id = ? returning token_id)
         delete from oidc_model where model = 'InitialAccessToken' and id in (select token_id from gone)`,
        [accountId],
      );
    },
    async ownerOf(tokenId) {
      const rows = await db().execute<{ account_id: string }[]>(
        'select account_id from console_initial_access_token where token_id = ?',
        [tokenId],
      );
      return rows[0]?.account_id;
    },
    async remove(accountId, id) {
      if (!UUID.test(id)) return false;
      const rows = await db().execute<{ token_id: string }[]>(
        'delete from console_initial_access_token where id = ? and account_id = ? returning token_id',
        [id, accountId],
      );
      const tokenId = rows[0]?.token_id;
      if (tokenId === undefined) return false;
      const token = await deps.provider.InitialAccessToken.find(tokenId);
      await token?.destroy();
      return true;
    },
  };
}
