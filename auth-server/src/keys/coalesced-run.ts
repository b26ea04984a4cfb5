export interface CoalescedRun {
  /**
   * Runs the task, or, while a run is under way, asks it for one more pass and resolves with it:
   * either way the promise settles after a pass that started after this call.
   */
  run(): Promise<void>;
  /** The run under way, if any. */
  running(): Promise<void> | undefined;
}

/** A task that runs once at a time, however often it is asked for; no pass once `stopped()`. */
export function createCoalescedRun(task: () => Promise<void>, stopped: () => boolean): CoalescedRun {
  let running: Promise<void> | undefined;
  let again = false;

  async function passes(): Promise<void> {
    try {
      do {
        again = false;
        await task();
      } while (again && !stopped());
    } finally {
      running = undefined;
    }
  }

  return {
    run() {
      if (running) {
        again = true;
        return running;
      }
      running = passes();
      return running;
    },
    running: () => running,
  };
}
