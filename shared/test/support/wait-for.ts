import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `check` until it returns a truthy value, or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * The value of one Prometheus sample in a /metrics text: `name` or `name{label="value",...}`;
 * the sample's other labels (such as the default `service`) do not matter. 0 when absent.
 */
export function metricValue(text: string, sample: string): number {
  const [, name, wanted = ''] = /^([^{]+)(?:\{(.*)\})?$/.exec(sample) ?? [];
  const want = wanted ? wanted.split(',') : [];
  for (const line of text.split('\n')) {
    const m = /^([^{\s]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = m[2] ? m[2].split(',') : [];
    if (want.every((l) => labels.includes(l))) return Number(m[3]);
  }
  return 0;
}
