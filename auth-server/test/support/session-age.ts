import type pg from 'pg';

/** Makes the account's sessions look as if they signed in `seconds` ago (oidc-provider's `loginTs`). */
export async function ageSessions(db: pg.Pool, accountId: string, seconds: number): Promise<void> {
  await db.query(
    `update oidc_model set payload = jsonb_set(payload, '{loginTs}', to_jsonb(extract(epoch from now())::int - $2::int))
      where model = 'Session' and payload->>'accountId' = $1`,
    [accountId, seconds],
  );
}
