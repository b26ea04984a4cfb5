export type TestMetric = 'l2' | 'ip' | 'cosine';

/** Deterministic pseudo-random numbers (mulberry32) so a failure can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomVector(random: () => number, dimension: number): number[] {
  return Array.from({ length: dimension }, () => Math.round((random() * 2 - 1) * 1e4) / 1e4);
}

const f32 = (v: readonly number[]) => v.map(Math.fround);
const norm = (v: readonly number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
const dot = (a: readonly number[], b: readonly number[]) =>
  a.reduce((s, x, i) => s + x * (b[i] as number), 0);

/** The exact k nearest, computed in plain JS the way the API defines `score` for each metric. */
export function bruteForce(
  records: ReadonlyMap<string, readonly number[]>,
  query: readonly number[],
  k: number,
  metric: TestMetric,
): { id: string; score: number }[] {
  const q = metric === 'cosine' ? f32(query).map((x, _, all) => x / norm(all)) : f32(query);
  const scored = [...records].map(([id, raw]) => {
    const v = metric === 'cosine' ? f32(raw).map((x, _, all) => x / norm(all)) : f32(raw);
    const score = metric === 'l2' ? v.reduce((s, x, i) => s + (x - (q[i] as number)) ** 2, 0) : dot(v, q);
    return { id, score };
  });
  scored.sort((a, b) => (metric === 'l2' ? a.score - b.score : b.score - a.score));
  return scored.slice(0, k);
}
