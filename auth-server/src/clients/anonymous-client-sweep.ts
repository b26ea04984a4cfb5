import type { MikroORM } from '@vectorauth/shared';
import { ANONYMOUS_MARK } from './anonymous-registration-policy.ts';
import type { ClientRegistry } from './client-registry.ts';

/**
 * Deletes anonymously registered clients that nobody uses: registered more than `ttlSec` ago and
 * holding no grant (never authorized by anyone, or every person withdrew it). Deleted as the
 * registry deletes any client (grants, stored tokens and ownership gone, its tokens revoked).
 * Returns how many went.
 */
export async function sweepUnusedAnonymousClients(
  orm: MikroORM,
  clients: ClientRegistry,
  ttlSec: number,
): Promise<number> {
  const rows = await orm.em.getConnection().execute<{ id: string }[]>(
    `select c.id from oidc_model c
      where c.model = 'Client' and (c.payload->>?) = 'true'
        and (c.payload->>'client_id_issued_at')::bigint < extract(epoch from now())::bigint - ?::bigint
        and not exists (select 1 from oidc_model g where g.model = 'Grant' and g.payload->>'clientId' = c.id)
      limit 1000`,
    [ANONYMOUS_MARK, ttlSec],
  );
  for (const { id } of rows) await clients.delete(id);
  return rows.length;
}
