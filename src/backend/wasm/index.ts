// The wasm backend: every kernel of the contract in AssemblyScript (SIMD where it pays, scalar
// wasm elsewhere), f32 and f64. Each hands work to the js kernels below a size where a benchmark
// shows js is faster (bench/RESULTS.md and bench/KERNELS.md have the figures behind each threshold), unless
// settings.handOff is off; each such hand-off is counted in settings.handOffs.
//
// Loading: synchronous where the engine allows (Node), else asynchronous; `ready()` in
// backend/index.ts resolves once the backend and its worker threads are up.

import type { Backend } from '../contract.js';
import { cores } from '../cores.js';
import { settings, threadCountListeners } from '../settings.js';
import { makeElementwise } from './elementwise.js';
import { makeMatmul } from './matmul.js';
import { makeOptim } from './optim.js';
import { makePatches } from './patches.js';
import { Pool } from './pool.js';
import { makeRows } from './rows.js';
import { loadRuntime, type Runtime } from './runtime.js';

let machineCores = 1;
let pool: Pool | null = null;
let poolReady: Promise<void> = Promise.resolve();
let warnedThreads = false;

function wantedWorkers(): number {
  return (settings.numThreads ?? machineCores) - 1;
}

/** Starts the workers the current thread count asks for (in the background). */
function growPool(rt: Runtime): void {
  if (!rt.shared) return;
  pool ??= new Pool(rt);
  poolReady = pool.grow(wantedWorkers()).catch((e: Error) => {
    // Workers that cannot start (a page's CSP, no worker support) leave the kernels on one
    // thread; say so once rather than fail ready() or setNumThreads.
    if (!warnedThreads) console.warn(`nabla: wasm worker threads unavailable, running on one thread (${e.message})`);
    warnedThreads = true;
  });
}

/** The pool for a threaded call, or null while no worker is ready. */
function currentPool(): Pool | null {
  return pool && pool.readyCount > 0 ? pool : null;
}

function makeBackend(rt: Runtime): Backend {
  return {
    name: 'wasm',
    ...makeElementwise(rt),
    ...makeRows(rt),
    ...makePatches(rt),
    ...makeOptim(rt),
    matmul: makeMatmul(rt, currentPool, () => machineCores),
  };
}

/** Starts the worker threads (when shared memory allows) so the first large product finds them. */
function startThreads(rt: Runtime): Promise<void> {
  machineCores = cores();
  threadCountListeners.push(() => growPool(rt));
  growPool(rt);
  return poolReady;
}

const loaded = loadRuntime();
let runtime: Runtime | null = loaded instanceof Promise ? null : loaded;

/** The wasm backend if it loaded synchronously, null otherwise (see wasmBackendAsync). */
export const wasmBackend: Backend | null = loaded && !(loaded instanceof Promise) ? makeBackend(loaded) : null;

/** Resolves to the wasm backend (null without wasm SIMD) once it and its threads are up. */
export const wasmBackendAsync: Promise<Backend | null> = Promise.resolve(loaded).then(async (rt) => {
  if (!rt) return null;
  runtime = rt;
  await startThreads(rt);
  return wasmBackend ?? makeBackend(rt);
});

/** Which wasm build runs (null without wasm SIMD, or before an asynchronous load finishes). */
export function wasmBuild(): { relaxed: boolean; shared: boolean } | null {
  return runtime ? { relaxed: runtime.relaxed, shared: runtime.shared } : null;
}

/** Resolves when the worker threads asked for by setNumThreads are running. */
export function threadsReady(): Promise<void> {
  return poolReady;
}
