// Worker threads that share the kernels' memory (WebAssembly.Memory({shared: true})) and split a
// matrix product's tiles with the calling thread. Node: worker_threads; browsers: Web Workers,
// only on cross-origin isolated pages (shared memory needs it).
//
// Protocol, over Int32 words at the start of the shared memory:
//   ctrl[2..15]  the job (kernel, pointers, sizes, participants)
//   ctrl[16+w]   worker w's doorbell: the caller stores a new job number and notifies it
//   ctrl[64+w]   which part of the tiles worker w computes in this job
//   ctrl[1]      done count: each participating worker adds 1; the caller waits for all
//   ctrl[14]     set to 1 by a worker whose kernel call threw (the caller then throws)
//   ctrl[100]    jobs the workers have computed a part of (each adds 1 after a non-empty part);
//                read only by tests (workerJobs), so the caller's hot path never touches it
// The caller takes part 0 of the work itself, then waits (Atomics.wait in Node; a spin on the
// browser's main thread, where blocking waits are not allowed). Waking a thread blocked in
// Atomics.wait took ~70 µs on the development VM, so both sides spin for 50 µs first (longer
// spins hurt when the OS puts both threads on one core, which it did here at times).

import { CONTROL_BYTES, type Runtime } from './runtime.js';

export const MAX_WORKERS = 32;
/** ctrl index of the count of job parts the workers have computed. */
const WORKER_JOBS = 100;

/**
 * Part `w` of `parts` of a product's tiles: panels of `mr` rows when there are more of them than
 * column panels, else column panels of `nr`. Shared verbatim with the workers (toString).
 */
export function tileRange(
  mp: number,
  np: number,
  mr: number,
  nr: number,
  w: number,
  parts: number,
): [number, number, number, number] {
  const rowTiles = mp / mr;
  const colTiles = np / nr;
  if (rowTiles >= colTiles) {
    return [Math.floor((rowTiles * w) / parts) * mr, Math.floor((rowTiles * (w + 1)) / parts) * mr, 0, np];
  }
  return [0, mp, Math.floor((colTiles * w) / parts) * nr, Math.floor((colTiles * (w + 1)) / parts) * nr];
}

// Runs inside each worker; written as a string so it needs no file of its own (bundlers, dist/).
const SPIN_MS = 0.05;

const WORKER_SOURCE = `
const tileRange = ${tileRange.toString()};
const SPIN_MS = ${SPIN_MS};
const WORKER_JOBS = ${WORKER_JOBS};
const CONTROL_WORDS = ${CONTROL_BYTES / 4};
function start(module, memory, index, post) {
  const x = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const ctrl = new Int32Array(memory.buffer, 0, CONTROL_WORDS);
  const bell = 16 + index;
  let seen = Atomics.load(ctrl, bell);
  post('ready');
  for (;;) {
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(ctrl, bell) === seen && performance.now() < until);
    Atomics.wait(ctrl, bell, seen);
    seen = Atomics.load(ctrl, bell);
    const [i0, i1, j0, j1] = tileRange(ctrl[9], ctrl[10], ctrl[11], ctrl[13], ctrl[64 + index], ctrl[3]);
    const gemm = ctrl[2] === 0 ? x.gemm32 : x.gemm64;
    try {
      if (i1 > i0 && j1 > j0) {
        gemm(ctrl[4], ctrl[5], ctrl[6], ctrl[7], ctrl[8], i0, i1, j0, j1, ctrl[12]);
        Atomics.add(ctrl, WORKER_JOBS, 1);
      }
    } catch (e) {
      Atomics.store(ctrl, 14, 1);
    }
    Atomics.add(ctrl, 1, 1);
    Atomics.notify(ctrl, 1);
  }
}
const node = (threads) =>
  start(threads.workerData.module, threads.workerData.memory, threads.workerData.index, (m) =>
    threads.parentPort.postMessage(m));
if (typeof require === 'function') node(require('node:worker_threads'));
else if (typeof process === 'object' && process.versions && process.versions.node) {
  // Evaluated as a module (node --input-type=module is inherited by workers): no require.
  import('node:worker_threads').then(node);
} else {
  self.onmessage = (e) => start(e.data.module, e.data.memory, e.data.index, (m) => self.postMessage(m));
}
`;

interface Handle {
  ready: boolean;
}

export interface GemmJob {
  kernel: 0 | 1; // gemm32 | gemm64
  ap: number;
  bp: number;
  c: number;
  k: number;
  mp: number;
  np: number;
  mr: number;
  nr: number;
  fused: boolean;
}

const pools: Pool[] = [];

/**
 * For tests: how many job parts worker threads have computed so far, over every pool (one per
 * wasm runtime). A threaded product that a worker took part in adds 1 per participating worker.
 */
export function workerJobs(): number {
  let n = 0;
  for (const p of pools) n += p.workerJobs;
  return n;
}

export class Pool {
  private readonly workers: Handle[] = [];
  private readonly ctrl: Int32Array;
  private job = 0;
  private spawning: Promise<void> | null = null;
  private readonly isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

  constructor(private readonly rt: Runtime) {
    this.ctrl = new Int32Array(rt.memory.buffer, 0, CONTROL_BYTES / 4);
    pools.push(this);
  }

  /** Job parts this pool's workers have computed (see workerJobs). */
  get workerJobs(): number {
    return Atomics.load(this.ctrl, WORKER_JOBS);
  }

  /** Workers that have instantiated the kernels and wait for work. */
  get readyCount(): number {
    let n = 0;
    for (const w of this.workers) if (w.ready) n++;
    return n;
  }

  /**
   * Starts workers until at least `count` exist; resolves when they are ready. Workers are never
   * stopped: a smaller thread count leaves some idle (blocked in Atomics.wait, costing nothing).
   */
  grow(count: number): Promise<void> {
    count = Math.min(count, MAX_WORKERS);
    if (this.workers.length >= count) return this.spawning ?? Promise.resolve();
    const starting: Promise<void>[] = [];
    for (let index = this.workers.length + 1; index <= count; index++) starting.push(this.spawn(index));
    const all = Promise.all(starting).then(() => undefined);
    this.spawning = all;
    return all;
  }

  private async spawn(index: number): Promise<void> {
    const handle: Handle = { ready: false };
    this.workers.push(handle);
    const data = { module: this.rt.module, memory: this.rt.memory, index };
    await new Promise<void>((resolve, reject) => {
      const onMessage = () => {
        handle.ready = true;
        resolve();
      };
      if (this.isNode) {
        const name = 'node:worker_threads';
        import(/* @vite-ignore */ name).then(({ Worker }) => {
          const w = new Worker(WORKER_SOURCE, { eval: true, workerData: data });
          w.unref(); // idle workers must not keep the process alive
          w.once('message', onMessage);
          w.once('error', reject);
          w.once('exit', () => (handle.ready = false)); // a dead worker gets no more jobs
        }, reject);
      } else {
        const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
        const w = new Worker(url);
        w.onmessage = onMessage;
        w.onerror = (e) => {
          handle.ready = false; // a failed worker gets no more jobs
          reject(new Error(`wasm backend: worker failed: ${e.message}`));
        };
        w.postMessage(data);
      }
    });
  }

  /** Runs a packed product over `threads` participants (this thread included); returns when done. */
  run(job: GemmJob, threads: number): void {
    const { ctrl, rt } = this;
    const helpers: number[] = [];
    for (let i = 0; i < this.workers.length && helpers.length < threads - 1; i++)
      if (this.workers[i].ready) helpers.push(i + 1);
    const parts = helpers.length + 1;
    const fused = job.fused ? 1 : 0;
    ctrl[2] = job.kernel;
    ctrl[3] = parts;
    ctrl[4] = job.ap;
    ctrl[5] = job.bp;
    ctrl[6] = job.c;
    ctrl[7] = job.np;
    ctrl[8] = job.k;
    ctrl[9] = job.mp;
    ctrl[10] = job.np;
    ctrl[11] = job.mr;
    ctrl[12] = fused;
    ctrl[13] = job.nr;
    Atomics.store(ctrl, 1, 0);
    Atomics.store(ctrl, 14, 0);
    this.job = (this.job + 1) | 0;
    for (let p = 1; p < parts; p++) {
      const w = helpers[p - 1];
      ctrl[64 + w] = p;
      const bell = 16 + w;
      Atomics.store(ctrl, bell, this.job);
      Atomics.notify(ctrl, bell);
    }
    const [i0, i1, j0, j1] = tileRange(job.mp, job.np, job.mr, job.nr, 0, parts);
    const gemm = job.kernel === 0 ? rt.exports.gemm32 : rt.exports.gemm64;
    if (i1 > i0 && j1 > j0) gemm(job.ap, job.bp, job.c, job.np, job.k, i0, i1, j0, j1, fused);
    const until = performance.now() + SPIN_MS;
    for (;;) {
      const done = Atomics.load(ctrl, 1);
      if (done >= parts - 1) break;
      if (this.isNode && performance.now() > until) Atomics.wait(ctrl, 1, done, 50);
    }
    if (Atomics.load(ctrl, 14)) {
      throw new Error(
        `matmul [${job.mp}×${job.k}]·[${job.k}×${job.np}] (padded): a worker thread's kernel call failed`,
      );
    }
  }
}
