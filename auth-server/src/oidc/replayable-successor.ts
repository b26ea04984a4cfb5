import type { MikroORM } from '@mikro-orm/postgresql';
import type { RefreshRotation } from './refresh-rotation.ts';

/**
 * A refresh token consumed within the grace window whose successor is still unused: presenting
 * it again is a retry of a lost answer, not reuse.
 */
const REPLAYABLE = `select s.id as successor from oidc_model o
  join oidc_model s on s.model = o.model and s.id = o.payload->>'successor'
    and s.consumed_at is null and (s.expires_at is null or s.expires_at > now())
  where o.model = 'RefreshToken' and o.id = ? and o.consumed_at > now() - make_interval(secs => ?::int)`;

/** The successor to answer again when refresh token `id` is presented within the grace window. */
export async function replayableSuccessor(
  deps: { orm: MikroORM; rotation?: RefreshRotation },
  id: string,
): Promise<string | undefined> {
  const { rotation } = deps;
  if (!rotation || rotation.graceSec <= 0) return undefined;
  const rows = await deps.orm.em
    .getConnection()
    .execute<{ successor: string }[]>(REPLAYABLE, [id, rotation.graceSec]);
  return rows[0]?.successor;
}
