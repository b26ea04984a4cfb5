import { NotFoundError } from '@vectorauth/shared';
import type { Collection } from '../../store/collection.ts';
import type { VectorState } from '../vector-state.ts';

/** The caller's collection of that name; another principal's is a 404 exactly like a missing one. */
export async function findCollection(state: VectorState, name: string): Promise<Collection> {
  const collection = await state.collections.find(state.token.sub, name);
  if (!collection) throw new NotFoundError(`no collection named "${name}"`);
  return collection;
}
