/**
 * A seeded PRNG (mulberry32) returning floats in [0, 1). Trainers draw every random choice
 * (initialization, shuffling, subsampling) from one of these, so the same seed reproduces
 * the same model bit for bit.
 */
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

// Bound once: under Jest (a vm context) each global Math lookup in a hot loop is ~30x slower.
const { floor } = Math;

/** A seeded Fisher–Yates shuffle of `0..n-1`. */
export function shuffledIndices(n: number, random: () => number): Uint32Array {
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i += 1) indices[i] = i;
  for (let i = n - 1; i > 0; i -= 1) {
    const j = floor(random() * (i + 1));
    const swap = indices[i] as number;
    indices[i] = indices[j] as number;
    indices[j] = swap;
  }
  return indices;
}
