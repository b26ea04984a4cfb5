import { createOrm, type MikroORM } from '@vectorauth/shared';
import { VECTOR_MIGRATIONS } from '../../src/index.ts';

/** A small ORM of the test's own on a vector database, to arrange or inspect rows beside the API. */
export function openVectorOrm(url: string): Promise<MikroORM> {
  return createOrm({ url, migrations: VECTOR_MIGRATIONS, poolMax: 1 });
}
