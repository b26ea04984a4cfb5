/**
 * A Zipf sampler over ranks 0..n-1 (0 the most popular): P(rank r) is proportional to
 * 1 / (r + 1)^s. The cumulative weights are built once, each draw is one binary search, so a
 * realistic access skew (a few principals busy, a long tail rarely seen) costs nothing per request.
 */
export function createZipfSampler(n: number, s: number, random: () => number): () => number {
  if (!Number.isInteger(n) || n < 1) throw new Error('zipf: n must be a positive integer');
  if (!(s >= 0)) throw new Error('zipf: s must be >= 0');
  const cdf = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < n; r++) {
    total += 1 / (r + 1) ** s;
    cdf[r] = total;
  }
  return () => {
    const u = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}

/** The share of draws that fall on the `top` most popular ranks (what an ideal LRU of that size hits). */
export function zipfHeadShare(n: number, s: number, top: number): number {
  let head = 0;
  let total = 0;
  for (let r = 0; r < n; r++) {
    const w = 1 / (r + 1) ** s;
    total += w;
    if (r < top) head += w;
  }
  return head / total;
}
