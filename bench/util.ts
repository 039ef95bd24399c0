// Timing helpers shared by the bench files: medians over repeated runs, a fixed-seed LCG for
// inputs that every peer receives identically, training tokens/s of a step and of the PyTorch twin.

import { execFileSync } from 'node:child_process';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { listBackends, setBackend, setNumThreads } from '../src/index.js';

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

/** Median tokens/s of `steps` timed calls of step after two warm-up calls (a training step of tokensPerStep tokens). */
export function tokensPerSecond(step: (i: number) => void, tokensPerStep: number, steps: number): number {
  step(0);
  step(1);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step(i);
    times.push(performance.now() - t0);
  }
  return tokensPerStep / (median(times) / 1000);
}

/**
 * Training tokens/s of bench/gpt_twin.py's `speed` task (its other arguments in `args`) at this
 * many threads, or why it did not run.
 */
export function torchTwinTokensPerSecond(args: string[], threads: number): number | string {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return 'no /usr/bin/python3';
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE; // let OpenBLAS pick its best kernel for this peer
  delete env.OPENBLAS_L2_SIZE;
  try {
    const out = execFileSync(
      python,
      [new URL('../../bench/gpt_twin.py', import.meta.url).pathname, 'speed', ...args, '--threads', String(threads)],
      // OPENBLAS_NUM_THREADS: torch's Linear products run on the system OpenBLAS, whose pthread
      // build ignores torch.set_num_threads and uses every core (without it 'torch 1t' ran its
      // products on all of them).
      { env: { ...env, OMP_WAIT_POLICY: 'PASSIVE', OPENBLAS_NUM_THREADS: String(threads) }, encoding: 'utf8' },
    );
    return JSON.parse(out.trim().split('\n').at(-1)!).tokensPerSec as number;
  } catch (e) {
    return `torch failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

/** A table's rows by peer: a rate, or why there is none. */
export type PeerRows = [string, number | string][];

/**
 * nabla's training rate on each backend but js (the reference backend takes minutes per step
 * here), at 1 thread and at `cores`, then its generation rate the same way; the threads are left
 * at `cores`.
 */
export function nablaPerBackend(
  cores: number,
  training: () => number,
  generation: () => number,
  log: (s: string) => void,
): { rows: PeerRows; generation: [string, number][] } {
  const backends = listBackends().filter((b) => b !== 'js');
  const threadCounts = [...new Set([1, cores])];
  const rows: PeerRows = [];
  for (const backend of backends) {
    setBackend(backend);
    for (const threads of threadCounts) {
      setNumThreads(threads);
      log(`nabla-${backend} ${threads}t ...`);
      rows.push([`nabla-${backend} ${threads}t`, training()]);
    }
  }
  const rates: [string, number][] = [];
  for (const backend of backends) {
    setBackend(backend);
    for (const threads of threadCounts) {
      setNumThreads(threads);
      rates.push([`nabla-${backend} ${threads}t`, generation()]);
    }
  }
  setNumThreads(cores);
  return { rows, generation: rates };
}

/** A peer's rate in the rows (null when it has none), and a ratio of two as "1.23×" ("—" without both). */
export function rateIn(rows: PeerRows, name: string): number | null {
  const r = rows.find(([n]) => n === name)?.[1];
  return typeof r === 'number' ? r : null;
}
export const ratio = (a: number | null, b: number | null) =>
  a !== null && b !== null ? `${(a / b).toFixed(2)}×` : '—';

/**
 * A bench's markdown: printed, and unless it is a section of `npm run bench` (which collects the
 * printed text), also written atomically to `out` under its title.
 */
export function writeBenchResult(text: string, title: string, section: boolean, out: string, log: (s: string) => void) {
  if (!section) {
    writeFileSync(`${out}.tmp`, `# ${title}\n\n${text}`);
    renameSync(`${out}.tmp`, out);
  }
  process.stdout.write(`${text}\n`);
  if (!section) log(`wrote ${out}`);
}
