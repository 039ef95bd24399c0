// Knobs that backends read at every call: the thread count and whether results must be
// bit-reproducible. Kept apart from backend/index.ts so backends can read them without cycles.

export const settings = {
  /** Threads for large kernels, the calling thread included; null = the machine's cores. */
  numThreads: null as number | null,
  /** When true, no relaxed-SIMD FMA (whose rounding may differ between machines). */
  deterministic: false,
  /**
   * When false (tests only), backends run their own kernels at every size instead of handing
   * small work to js, so that the op-table suite reaches them with small samples.
   */
  handOff: true,
  /** Calls a backend's own kernel handed to js (small work, a dtype or case it lacks); tests read it. */
  handOffs: 0,
};

/**
 * Work of n elements below a backend's measured threshold min, which it hands to the js kernel
 * (cheaper than a copy into wasm or a call into native code there), unless tests turned the
 * hand-off off. handoff.ts's toJs hands the call over and counts it in settings.handOffs.
 */
export const small = (n: number, min: number) => settings.handOff && n < min;

/** Called when the thread count changes, so a backend can start workers before `ready()` resolves. */
export const threadCountListeners: (() => void)[] = [];

/**
 * Threads (the calling one included) that large matrix products may use; default: all cores.
 * New worker threads start in the background: `await ready()` to have them for the next call.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
  settings.numThreads = n;
  for (const f of threadCountListeners) f();
}

/**
 * With true, kernels avoid anything whose rounding is not fixed (relaxed-SIMD FMA), so the same
 * inputs give bit-identical results run to run and machine to machine. Thread counts never change
 * results: every output element is summed in the same order on any thread.
 */
export function setDeterministic(flag: boolean): void {
  settings.deterministic = flag;
}

/** Whether setDeterministic(true) is in force (default false). */
export function isDeterministic(): boolean {
  return settings.deterministic;
}
