/**
 * One kind of secret sealed under the master key (data keys, signing keys, client secrets), as
 * `npm run rotate-master-key` sees it. With MASTER_KEY="new,old", a step rewraps what is still
 * wrapped by a key other than the first, one batch at a time, without touching the data those
 * secrets protect. Each batch commits on its own, so the command can be stopped and re-run.
 */
export interface RewrapStep {
  readonly name: string;
  /** Secrets still wrapped by a master key other than the primary (the first of MASTER_KEY). */
  count(): Promise<number>;
  /** Rewraps up to one batch under the primary key; the number rewrapped (0 when none are left). */
  rewrapBatch(): Promise<number>;
}

export interface RewrapProgress {
  onStart?(step: RewrapStep, remaining: number): void;
  onProgress?(step: RewrapStep, done: number): void;
  onFinish?(step: RewrapStep, done: number): void;
}

/** Runs the steps in order, each until nothing is left; returns how many each rewrapped. */
export async function runRewrapSteps(
  steps: readonly RewrapStep[],
  progress: RewrapProgress = {},
): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const step of steps) {
    progress.onStart?.(step, await step.count());
    let done = 0;
    for (let n = await step.rewrapBatch(); n > 0; n = await step.rewrapBatch()) {
      done += n;
      progress.onProgress?.(step, done);
    }
    totals.set(step.name, done);
    progress.onFinish?.(step, done);
  }
  return totals;
}
