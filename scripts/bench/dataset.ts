/** A deterministic pseudo-random generator (mulberry32): numbers in [0, 1), the same for a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic pseudo-random vectors (mulberry32), so every run measures the same data. */
export function randomVectors(count: number, dimension: number, seed: number): number[][] {
  const next = seededRandom(seed);
  // Six decimals: float32 keeps about seven digits anyway, and the upsert bodies stay small.
  return Array.from({ length: count }, () =>
    Array.from({ length: dimension }, () => Math.round((next() * 2 - 1) * 1e6) / 1e6),
  );
}

/** The id the bench gives the i-th vector, in the vector API and when mapping FAISS labels. */
export const vectorId = (i: number) => `v${i}`;

/** The same generator into one row-major Float32Array (large collections, written without JSON). */
export function randomVectorsF32(count: number, dimension: number, seed: number): Float32Array {
  const next = seededRandom(seed);
  const out = new Float32Array(count * dimension);
  for (let i = 0; i < out.length; i++) out[i] = next() * 2 - 1;
  return out;
}

/**
 * Vectors shaped as embeddings are (row-major): `clusters` centres, each with a 16-dimensional
 * patch the points spread along, plus a little noise in every direction. Uniform random vectors
 * have no neighbours worth the name (every distance alike), which no approximate index is built for.
 */
export function embeddingLikeVectorsF32(
  count: number,
  dimension: number,
  seed: number,
  clusters = 1000,
): Float32Array {
  const latent = 16;
  const shape = seededRandom(1);
  const centres = Float32Array.from({ length: clusters * dimension }, () => shape() * 2 - 1);
  const patches = Float32Array.from({ length: clusters * latent * dimension }, () => (shape() * 2 - 1) * 0.3);
  const next = seededRandom(seed);
  const out = new Float32Array(count * dimension);
  const z = new Float32Array(latent);
  for (let i = 0; i < count; i++) {
    const c = Math.floor(next() * clusters);
    for (let l = 0; l < latent; l++) z[l] = next() * 2 - 1;
    for (let j = 0; j < dimension; j++) {
      let x = (centres[c * dimension + j] as number) + (next() - 0.5) * 0.3;
      for (let l = 0; l < latent; l++)
        x += (z[l] as number) * (patches[(c * latent + l) * dimension + j] as number);
      out[i * dimension + j] = x;
    }
  }
  return out;
}
