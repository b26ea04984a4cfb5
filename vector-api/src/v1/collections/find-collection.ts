import { NotFoundError } from '@vectorauth/shared';
import type { Collection } from '../../store/collection.ts';
import type { VectorState } from '../vector-state.ts';

/** The caller's collection of that name; another principal's is a 404 exactly like a missing one. */
export async function findCollection(state: VectorState, name: string): Promise<Collection> {
  const collection = await state.collections.find(state.token.sub, name);
  if (!collection) throw new NotFoundError(`no collection named "${name}"`);
  return collection;
}

/**
 * `work` on the caller's collection of that name, read-only. While the token's checks are still in
 * flight (a route with `overlapChecks`), it starts at once on this instance's cached row, so the
 * Redis round trip and the work overlap; its result is kept only when `findCollection` (which
 * waits for the checks' version read) confirms that row, same id and version. Otherwise, or when
 * nothing is cached, the work runs on the confirmed row as it always did. Nothing is answered
 * before the checks: bearer-auth waits for them after the handler.
 */
export async function withCollection<T>(
  state: VectorState,
  name: string,
  work: (collection: Collection) => Promise<T>,
  /**
   * Told of a cached row the early work ran on that turned out gone (deleted, or replaced by
   * another collection of that name), once that work has settled: it may have loaded an index
   * for it (from no rows), which must not outlive it (a restore of the same id would find it).
   */
  gone: (collection: Collection) => Promise<void>,
): Promise<T> {
  const early = state.checksPending ? state.collections.cached(state.token.sub, name) : undefined;
  // Async: a check that throws at once on a stale row rejects this attempt instead of the request.
  const attempt = async (collection: Collection) => work(collection);
  const started = early ? attempt(early) : undefined;
  if (started) {
    started.catch(() => {}); // a stale row's failure is not the answer; a confirmed one's is awaited below
    state.earlyWork = 'redone'; // until the row is confirmed
  }
  let collection: Collection;
  try {
    collection = await findCollection(state, name);
  } catch (err) {
    if (early && started && err instanceof NotFoundError) await forget(early, started, gone);
    throw err;
  }
  if (started && early?.id === collection.id && early.version === collection.version) {
    state.earlyWork = 'kept';
    return started;
  }
  if (early && started && early.id !== collection.id) await forget(early, started, gone);
  return work(collection);
}

async function forget(
  early: Collection,
  started: Promise<unknown>,
  gone: (collection: Collection) => Promise<void>,
): Promise<void> {
  await started.catch(() => undefined);
  await gone(early).catch(() => undefined);
}
