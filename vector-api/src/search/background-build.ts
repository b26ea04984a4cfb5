import { indexKindFor } from '../store/index-settings.ts';
import { buildIndex, compactFlat, type Entry, liveCount, needsRebuild } from './index-entry.ts';

/** A slice of building runs this long at most before the worker answers other messages. */
const SLICE_MS = 25;
/** Vectors added to the new index per FAISS call. */
const CHUNK = 32;

export interface BuildHooks {
  /** The entry is still the cached one (not dropped, evicted or replaced): go on. */
  current(e: Entry): boolean;
  /** A slice ended (the entry holds two indexes now: count them). */
  step(e: Entry): void;
  /** The new index replaced the old one. */
  done(e: Entry): void;
  /** Building failed; the entry is in its old state, the new index freed. */
  failed(e: Entry, err: unknown): void;
}

/**
 * Builds an entry's index again in the background, as the kind its settings want now: an HNSW
 * graph for a collection loaded from its rows (searched flat, exactly, meanwhile), a graph
 * compacted of masked labels, or an `auto` collection switched across the size threshold. The
 * new index is filled in slices of `SLICE_MS` between the worker's messages, so searches of every
 * collection go on; the old index answers them, with deletes and replacements masked on it so its
 * labels stay where the build reads them. Writes made meanwhile end up in the new index: labels
 * appended after the start are added at the end, and labels masked meanwhile stay masked.
 */
export function createBackgroundBuilds(hooks: BuildHooks) {
  function abandon(e: Entry): void {
    e.build?.index.dispose();
    e.build = undefined;
  }

  function finish(e: Entry): void {
    const build = e.build;
    if (!build) return;
    const appended: number[] = [];
    for (let label = build.startLength; label < e.ids.length; label++) appended.push(label);
    if (appended.length > 0) build.index.add(e.index.vectorsAt(appended));
    const order = [...build.sources, ...appended];
    e.index.dispose();
    e.index = build.index;
    e.index.adviseHugePages();
    e.build = undefined;
    e.ids = order.map((label) => e.ids[label] as string);
    e.metadata = order.map((label) => e.metadata[label] ?? null);
    e.sizes = order.map((label) => e.sizes[label] ?? 0);
    e.masked = e.ids.filter((id) => id === '').length;
    e.live = undefined;
    e.subsets.clear();
    compactFlat(e);
    e.changes += order.length;
  }

  function step(e: Entry): void {
    const build = e.build;
    if (!build) return;
    if (!hooks.current(e)) {
      abandon(e);
      return;
    }
    try {
      const started = performance.now();
      while (build.added < build.sources.length && performance.now() - started < SLICE_MS) {
        const chunk = build.sources.slice(build.added, build.added + CHUNK);
        build.index.add(e.index.vectorsAt(chunk));
        build.added += chunk.length;
      }
      if (build.added < build.sources.length) {
        hooks.step(e);
        setImmediate(() => step(e));
        return;
      }
      finish(e);
    } catch (err) {
      abandon(e);
      hooks.failed(e, err);
      return;
    }
    hooks.done(e);
    start(e); // many writes during the build may call for another
  }

  /** Starts a build when the entry needs one and none is running. */
  function start(e: Entry): void {
    if (e.build || !needsRebuild(e)) return;
    const sources: number[] = [];
    for (let label = 0; label < e.ids.length; label++) if (e.ids[label] !== '') sources.push(label);
    e.build = {
      index: buildIndex(e.target, indexKindFor(e.target.index, liveCount(e), e.index.kind)),
      sources,
      added: 0,
      startLength: e.ids.length,
    };
    setImmediate(() => step(e));
  }

  return { start, abandon };
}
