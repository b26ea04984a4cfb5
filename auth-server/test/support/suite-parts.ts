/** What a mocha fixture started for its suite, each part with the way to close it. */
export interface SuiteParts<T> {
  /** Keeps `value` as `key` and, when given, `close` to run after the suite. */
  keep<K extends keyof T>(key: K, value: T[K], close?: (value: T[K]) => Promise<unknown>): T[K];
  /** The part kept as `key`; a clear error when the fixture was not asked for it or has not started. */
  get<K extends keyof T>(key: K): T[K];
  /** Runs `close` after the suite, before every part kept so far (the last given first). */
  onClose(close: () => Promise<unknown>): void;
}

/**
 * Registers mocha hooks in the calling `describe`: `start` before the suite, and after it every
 * close that was given, in reverse order (also those of a start that failed half-way).
 */
export function useSuiteParts<T>(
  fixture: string,
  start: (parts: SuiteParts<T>) => Promise<void>,
): SuiteParts<T> {
  const kept: Partial<T> = {};
  const closers: { name: string; close: () => Promise<unknown> }[] = [];
  const parts: SuiteParts<T> = {
    keep(key, value, close) {
      kept[key] = value;
      if (close) closers.push({ name: String(key), close: () => close(value) });
      return value;
    },
    get(key) {
      const value = kept[key];
      if (value === undefined) {
        throw new Error(
          `${fixture}: no ${String(key)} (ask for it in the options; it is there from the first hook on)`,
        );
      }
      return value as T[typeof key];
    },
    onClose(close) {
      closers.push({ name: 'onClose', close });
    },
  };
  before(() => start(parts));
  after(async () => {
    const failures: unknown[] = [];
    for (const { name, close } of closers.splice(0).reverse()) {
      // A close that hangs fails the hook by mocha's timeout, which names no part: say which one.
      const slow = setTimeout(
        () => process.stderr.write(`[test] ${fixture}: closing ${name} has taken 20 s and goes on\n`),
        20_000,
      );
      slow.unref();
      await close()
        .catch((err) => failures.push(err))
        .finally(() => clearTimeout(slow));
    }
    if (failures.length) throw failures[0];
  });
  return parts;
}
