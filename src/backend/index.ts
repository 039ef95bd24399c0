// The active backend. Ops ask for it at every call, so switching takes effect at once.
//
// The default is the fastest available: 'wasm' where the engine has wasm SIMD, else 'js'.
// In Node the wasm backend loads synchronously at import; where an engine only compiles
// asynchronously (some browsers' main threads), 'js' serves until `await ready()` says wasm is in.

import type { Backend } from './contract.js';
import { jsBackend } from './js/index.js';
import { threadsReady, wasmBackend, wasmBackendAsync } from './wasm/index.js';

const backends = new Map<string, Backend>([['js', jsBackend]]);
let active: Backend = jsBackend;
let chosen = false; // set once the user picks a backend, so the async default does not override it

if (wasmBackend) {
  backends.set('wasm', wasmBackend);
  active = wasmBackend;
}

const loading = wasmBackendAsync.then((b) => {
  if (!b || backends.has('wasm')) return;
  backends.set('wasm', b);
  if (!chosen) active = b;
});

export function backend(): Backend {
  return active;
}

export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
}

export function setBackend(name: string): void {
  const b = backends.get(name);
  if (!b) throw new Error(`setBackend: unknown backend '${name}' (available: ${[...backends.keys()].join(', ')})`);
  active = b;
  chosen = true;
}

export function getBackend(): string {
  return active.name;
}

/** Names of the registered backends that can run here. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/**
 * Resolves when the fastest backend is loaded and its worker threads (setNumThreads) are
 * running. Optional: until then ops run, on js or on fewer threads, with the same results.
 */
export async function ready(): Promise<void> {
  await loading;
  await threadsReady();
}
