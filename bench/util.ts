// Timing helpers shared by the bench files: medians over repeated runs, a fixed-seed LCG for
// inputs that every peer receives identically.

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Runs fn at least `minReps` times and until `budgetMs` is spent (at most maxReps); ms per run. */
export function timeRuns(fn: () => void, budgetMs = 400, minReps = 3, maxReps = 200): number[] {
  fn(); // warm-up: compilation, packing buffers, worker wake-up paths
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (performance.now() - start < budgetMs && times.length < maxReps)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times;
}

export async function timeRunsAsync(
  fn: () => Promise<void>,
  budgetMs = 400,
  minReps = 3,
  maxReps = 200,
): Promise<number[]> {
  await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (performance.now() - start < budgetMs && times.length < maxReps)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times;
}

/** A 32-bit LCG in [0, 1): the bench's inputs do not depend on any library's PRNG. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function randomArray(n: number, seed: number): Float32Array {
  const r = lcg(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}
