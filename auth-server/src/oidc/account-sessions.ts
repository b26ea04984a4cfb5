import type { MikroORM } from '@mikro-orm/postgresql';
import type { Provider } from 'oidc-provider';
import type { ApiKeys } from '../api-keys/api-keys.ts';
import type { ConsoleInitialAccessTokens } from '../clients/console-initial-access-tokens.ts';
import type { AccountRevocationSource, RevocationSource } from '../revocation/revocation-source.ts';
import type { Revocations } from '../revocation/revocations.ts';
import { ACCOUNT_CLIENT_ID } from './account-client.ts';

export interface ConnectedApp {
  grantId: string;
  clientId: string;
  clientName: string;
  scopes: string[];
  grantedAt: Date;
  lastUsedAt: Date | null;
}

export interface AccountSessions {
  /** The apps the account has granted access to, newest first (the account page itself is not one). */
  connectedApps(accountId: string): Promise<ConnectedApp[]>;
  /**
   * Revokes one grant of this account (never another account's): the grant and every token of it
   * (the person disconnected the app). Answers the grant's client id, or undefined when the
   * account has no such grant.
   */
  revokeGrant(accountId: string, grantId: string): Promise<string | undefined>;
  /** Ends every session and revokes every grant of the account (sign out everywhere, reset, disable, delete). */
  endEverything(accountId: string, source: AccountRevocationSource): Promise<void>;
  /** Remembers when a grant was last used at the token endpoint. */
  touchGrant(grantId: string, accountId: string, clientId: string): Promise<void>;
}

/** What oidc-provider keeps per account (sessions, grants) seen from the account's side. */
export function createAccountSessions(deps: {
  orm: MikroORM;
  provider: Provider;
  revocations: Revocations;
  /** Console initial access tokens: they end with the account's sessions and grants. */
  initialAccessTokens: Pick<ConsoleInitialAccessTokens, 'removeAllOf'>;
  /** So do the account's API keys. */
  apiKeys: Pick<ApiKeys, 'revokeAllOf'>;
}): AccountSessions {
  const { orm, provider, revocations } = deps;
  const db = () => orm.em.getConnection();

  /** The grant and its refresh tokens go from Postgres; its JWT access tokens die through the revocation list. */
  async function revoke(grantId: string, source: RevocationSource): Promise<void> {
    // Its tokens and the grant itself; an interaction in progress that names it stays (it would
    // only resume to ask again).
    await db().execute(
      "delete from oidc_model where (grant_id = ? and model <> 'Interaction') or (model = 'Grant' and id = ?)",
      [grantId, grantId],
    );
    await db().execute('delete from grant_usage where grant_id = ?', [grantId]);
    await revocations.revokeGrant(grantId, source);
  }

  return {
    async connectedApps(accountId) {
      const rows = await db().execute<
        { id: string; payload: Record<string, unknown>; last_used_at: Date | string | null }[]
      >(
        `select g.id, g.payload, u.last_used_at from oidc_model g left join grant_usage u on u.grant_id = g.id
         where g.model = 'Grant' and g.payload->>'accountId' = ? and g.payload->>'clientId' <> ?
           and (g.expires_at is null or g.expires_at > now())
         order by (g.payload->>'iat')::bigint desc`,
        [accountId, ACCOUNT_CLIENT_ID],
      );
      const apps: ConnectedApp[] = [];
      for (const row of rows) {
        const clientId = String(row.payload.clientId);
        const client = await provider.Client.find(clientId).catch(() => undefined);
        const resources = (row.payload.resources ?? {}) as Record<string, string>;
        const scopes = new Set([
          ...String(row.payload.openid ? ((row.payload.openid as { scope?: string }).scope ?? '') : '').split(
            ' ',
          ),
          ...Object.values(resources).flatMap((s) => s.split(' ')),
        ]);
        scopes.delete('');
        apps.push({
          grantId: row.id,
          clientId,
          clientName: client?.clientName ?? clientId,
          scopes: [...scopes].sort(),
          grantedAt: new Date(Number(row.payload.iat) * 1000),
          lastUsedAt: row.last_used_at ? new Date(row.last_used_at) : null,
        });
      }
      return apps;
    },

    async revokeGrant(accountId, grantId) {
      const [row] = await db().execute<{ client_id: string }[]>(
        "select payload->>'clientId' as client_id from oidc_model where model = 'Grant' and id = ? and payload->>'accountId' = ?",
        [grantId, accountId],
      );
      if (!row) return undefined;
      await revoke(grantId, 'app_disconnected');
      return row.client_id;
    },

    async endEverything(accountId, source) {
      const grants = await db().execute<{ id: string }[]>(
        "select id from oidc_model where model = 'Grant' and payload->>'accountId' = ?",
        [accountId],
      );
      for (const { id } of grants) await revoke(id, source);
      await db().execute("delete from oidc_model where model = 'Session' and payload->>'accountId' = ?", [
        accountId,
      ]);
      // The initial access tokens the person made in the developer console die with the rest.
      await deps.initialAccessTokens.removeAllOf(accountId);
      await deps.apiKeys.revokeAllOf(accountId, source);
      await revocations.revokeSubject(accountId, source);
    },

    async touchGrant(grantId, accountId, clientId) {
      await db().execute(
        `insert into grant_usage (grant_id, account_id, client_id, last_used_at) values (?, ?, ?, now())
         on conflict (grant_id) do update set last_used_at = now()`,
        [grantId, accountId, clientId],
      );
    },
  };
}
