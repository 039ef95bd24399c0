// The one seeded PRNG (xoshiro128**) behind initialisers, dropout and shuffling.
// Its state is four uint32 words, saved in checkpoints so a resumed run draws the same numbers.

const state = new Uint32Array(4);
let spareNormal: number | null = null;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Seeds every random draw in nabla (initialisers, rand and randn, dropout, shuffling), as
 * torch.manual_seed: the same seed gives the same numbers on every run. One PRNG
 * (xoshiro128**) serves the whole library; its state can be saved and restored
 * (getRngState, setRngState), as checkpoints do.
 *
 * @example
 * ```ts
 * manualSeed(42);
 * const model = new nn.Linear(4, 2);   // the same initial weights on every run
 * ```
 */
export function manualSeed(seed: number): void {
  if (!Number.isSafeInteger(seed))
    throw new Error(`manualSeed: seed must be an integer within ±(2^53 − 1), got ${seed}`);
  // Both 32-bit halves feed the state, so seeds that differ only above bit 31 differ too
  // (a seed below 2^32 has a zero high half and keeps its stream).
  const low = splitmix32(seed >>> 0);
  const highBits = Math.floor(seed / 2 ** 32) >>> 0;
  const high = highBits === 0 ? () => 0 : splitmix32(highBits ^ 0x632be5ab);
  for (let i = 0; i < 4; i++) state[i] = (low() ^ rotl(high(), 16)) >>> 0;
  spareNormal = null;
}

/** A snapshot of the PRNG (getRngState, setRngState): plain JSON, as checkpoints store it. */
export interface RngState {
  /** The four 32-bit words of xoshiro128**'s state. */
  words: number[];
  /** The second normal of the last Box–Muller pair, not yet drawn (null if none). */
  spareNormal: number | null;
}

/** A copy of the PRNG's state, to restore later with setRngState (as torch.get_rng_state). */
export function getRngState(): RngState {
  return { words: Array.from(state), spareNormal };
}

/** Restores a state from getRngState: the draws that follow repeat those that followed it (as torch.set_rng_state). */
export function setRngState(s: RngState): void {
  if (!Array.isArray(s.words) || s.words.length !== 4) throw new Error('setRngState: expected 4 state words');
  state.set(s.words);
  spareNormal = s.spareNormal;
}

function nextUint32(): number {
  const result = Math.imul(rotl(Math.imul(state[1], 5), 7), 9) >>> 0;
  const t = state[1] << 9;
  state[2] ^= state[0];
  state[3] ^= state[1];
  state[1] ^= state[2];
  state[0] ^= state[3];
  state[2] ^= t;
  state[3] = rotl(state[3], 11);
  return result;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Uniform in [0, 1) with 53 random bits. */
export function random(): number {
  const hi = nextUint32() >>> 5;
  const lo = nextUint32() >>> 6;
  return (hi * 67108864 + lo) / 9007199254740992;
}

/**
 * out[i] = 0 with probability p, else `value`, for each i (dropout's mask): the draws of
 * out.length calls of `random() < p`, with the state held in locals through the loop and no
 * division per value (bench/KERNELS.md has the time it saves).
 */
export function fillBernoulli(out: Float32Array | Float64Array, p: number, value: number): void {
  let [s0, s1, s2, s3] = state;
  // random() < p, as random()'s 53-bit integer against p·2⁵³ (both exact: no division per value).
  const threshold = p * 9007199254740992;
  for (let i = 0; i < out.length; i++) {
    // Two steps of nextUint32, written out (a loop of two here ran a third slower).
    const hi = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 5;
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    const lo = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 6;
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    out[i] = hi * 67108864 + lo < threshold ? 0 : value;
  }
  state[0] = s0;
  state[1] = s1;
  state[2] = s2;
  state[3] = s3;
}

/** Standard normal by the Box–Muller transform (pairs, the second kept for the next call). */
export function randomNormal(): number {
  if (spareNormal !== null) {
    const z = spareNormal;
    spareNormal = null;
    return z;
  }
  let u = 0;
  while (u === 0) u = random();
  const v = random();
  const r = Math.sqrt(-2 * Math.log(u));
  spareNormal = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}

/** Integer in [0, n). */
export function randomInt(n: number): number {
  return Math.floor(random() * n);
}

/** A permutation of 0..n-1 (Fisher–Yates). */
export function randomPermutation(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

manualSeed(0x6e61626c);

/** The permutation of 0..n-1 that `seed` gives, leaving the global PRNG as it was. */
export function seededPermutation(n: number, seed: number): Int32Array {
  const saved = getRngState();
  manualSeed(seed);
  const p = randomPermutation(n);
  setRngState(saved);
  return p;
}
