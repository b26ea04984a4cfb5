import type { MikroORM } from '@mikro-orm/postgresql';

/**
 * Deletes the client's grants and stored tokens; its registration access token survives unless
 * `withRegistration` (the client goes).
 */
export async function dropClientGrantsAndTokens(
  orm: MikroORM,
  clientId: string,
  withRegistration: boolean,
): Promise<void> {
  const db = () => orm.em.getConnection();
  const keep = withRegistration ? ['Client'] : ['Client', 'RegistrationAccessToken'];
  await db().execute(
    `delete from oidc_model where payload->>'clientId' = ? and model not in (${keep.map(() => '?').join(', ')})`,
    [clientId, ...keep],
  );
  await db().execute('delete from grant_usage where client_id = ?', [clientId]);
}
