/** What a composition root has started, closed in reverse order (last started, first closed). */
export interface ShutdownStack {
  /** Registers how to close something just started (`name` for the slow-step report); returns it unchanged. */
  push<T>(started: T, close: (started: T) => Promise<unknown> | unknown, name?: string): T;
  /** Closes everything once (later calls share the first), reverse order, every step tried. */
  close(): Promise<void>;
}

export interface ShutdownOptions {
  /** Told once about a step still closing after `slowAfterMs` (it is still waited for). */
  onSlow?: (step: string, afterMs: number) => void;
  slowAfterMs?: number;
}

/**
 * The clean-up of a start that can fail half-way: each step registers its closer as it starts,
 * so a failure later closes exactly what was started, and a normal stop closes everything.
 * The first error of a closer is rethrown after the others ran. A step that takes longer than
 * `slowAfterMs` is reported by name, so a stop that hangs says where.
 */
export function createShutdownStack(options: ShutdownOptions = {}): ShutdownStack {
  const closers: { name: string; close: () => Promise<unknown> | unknown }[] = [];
  const slowAfterMs = options.slowAfterMs ?? 10_000;
  let closing: Promise<void> | undefined;
  return {
    push(started, close, name) {
      closers.push({ name: name ?? `step ${closers.length + 1}`, close: () => close(started) });
      return started;
    },
    close() {
      closing ??= (async () => {
        let failure: { err: unknown } | undefined;
        for (const { name, close } of closers.reverse()) {
          const slow = options.onSlow && setTimeout(() => options.onSlow?.(name, slowAfterMs), slowAfterMs);
          slow?.unref();
          try {
            await close();
          } catch (err) {
            failure ??= { err };
          } finally {
            if (slow) clearTimeout(slow);
          }
        }
        if (failure) throw failure.err;
      })();
      return closing;
    },
  };
}
