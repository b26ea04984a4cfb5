import type { MikroORM } from '@mikro-orm/postgresql';

/**
 * Deletes the client's grants and stored tokens; its registration access token survives unless
 * `withRegistration` (the client goes). Each grant deleted is first marked revoked through
 * `revokeGrant`: a token another client holds on one of them (exchanged by an agent, RFC 8693)
 * names the grant, not this client, and must die with it.
 */
export async function dropClientGrantsAndTokens(
  orm: MikroORM,
  clientId: string,
  withRegistration: boolean,
  revokeGrant: (grantId: string) => Promise<void> = async () => {},
): Promise<void> {
  const db = () => orm.em.getConnection();
  const grants = await db().execute<{ id: string }[]>(
    `select id from oidc_model where model = 'Grant' and payload->>'clientId' = ?`,
    [clientId],
  );
  for (const { id } of grants) await revokeGrant(id);
  const keep = withRegistration ? ['Client'] : ['Client', 'RegistrationAccessToken'];
  await db().execute(
    `delete from oidc_model where payload->>'clientId' = ? and model not in (${keep.map(() => '?').join(', ')})`,
    [clientId, ...keep],
  );
  await db().execute('delete from grant_usage where client_id = ?', [clientId]);
}
