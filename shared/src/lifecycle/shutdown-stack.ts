/** What a composition root has started, closed in reverse order (last started, first closed). */
export interface ShutdownStack {
  /** Registers how to close something just started; returns it unchanged. */
  push<T>(started: T, close: (started: T) => Promise<unknown> | unknown): T;
  /** Closes everything once (later calls share the first), reverse order, every step tried. */
  close(): Promise<void>;
}

/**
 * The clean-up of a start that can fail half-way: each step registers its closer as it starts,
 * so a failure later closes exactly what was started, and a normal stop closes everything.
 * The first error of a closer is rethrown after the others ran.
 */
export function createShutdownStack(): ShutdownStack {
  const closers: (() => Promise<unknown> | unknown)[] = [];
  let closing: Promise<void> | undefined;
  return {
    push(started, close) {
      closers.push(() => close(started));
      return started;
    },
    close() {
      closing ??= (async () => {
        let failure: { err: unknown } | undefined;
        for (const close of closers.reverse()) {
          try {
            await close();
          } catch (err) {
            failure ??= { err };
          }
        }
        if (failure) throw failure.err;
      })();
      return closing;
    },
  };
}
