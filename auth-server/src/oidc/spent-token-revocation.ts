import type { MikroORM } from '@mikro-orm/postgresql';
import { errors } from 'oidc-provider';
import type { RevocationSource } from '../revocation/revocation-source.ts';

export type GrantRevokedListener = (grantId: string, source: RevocationSource) => Promise<void>;

/**
 * A code or refresh token presented again once spent, or lost a race with another redemption of
 * it: that is reuse, as surely as presenting it after it was spent, so the whole grant goes
 * (RFC 9700 4.14.2). Deletes the grant with all its tokens, tells the listener, throws invalid_grant.
 */
export async function revokeSpentToken(
  deps: { orm: MikroORM; onGrantRevoked?: GrantRevokedListener },
  model: string,
  id: string,
): Promise<never> {
  const spent = await deps.orm.em.getConnection().execute<{ grant_id: string }[]>(
    `with spent as (select grant_id from oidc_model where model = ? and id = ? and grant_id is not null),
       gone as (delete from oidc_model where grant_id in (select grant_id from spent)
         or (model = 'Grant' and id in (select grant_id from spent)))
     select grant_id from spent`,
    [model, id],
  );
  const grantId = spent[0]?.grant_id;
  // The grant is gone from Postgres either way; a failed notice is replayed by its receiver.
  const source = model === 'RefreshToken' ? 'refresh_reuse' : 'code_reuse';
  if (grantId && deps.onGrantRevoked) await deps.onGrantRevoked(grantId, source).catch(() => undefined);
  throw new errors.InvalidGrant('grant source already consumed');
}
