// The active backend. Ops ask for it at every call, so switching takes effect at once.
//
// A backend registers the kernels it implements (contract.ts); the kernels it lacks run on js.
// The default is the fastest available: 'native' in Node where its addon loads, else 'wasm' where
// the engine has wasm SIMD, else 'js'.
// In Node the wasm backend loads synchronously at import; where an engine only compiles
// asynchronously (some browsers' main threads), 'js' serves until `await ready()` says wasm is in.

import type { Backend, KernelName, Kernels } from './contract.js';
import { jsBackend } from './js/index.js';
import { nativeBackend } from './native/index.js';
import { threadsReady, wasmBackend, wasmBackendAsync } from './wasm/index.js';

/** A registered backend with every kernel filled in (its own, else js's). */
export type ActiveBackend = Kernels & { readonly name: string };

const KERNELS = Object.keys(jsBackend).filter((k) => k !== 'name') as KernelName[];

const backends = new Map<string, { full: ActiveBackend; own: KernelName[] }>();
let active: ActiveBackend;
let chosen = false; // set once the user picks a backend, so the async default does not override it

/**
 * Registers (or replaces) a backend under its name: the kernels it implements are its own, the
 * others are js's. setBackend(name) then selects it. See {@link Kernels} for the contract.
 *
 * @example
 * ```ts
 * registerBackend({ name: 'mine', scale: (x, a) => { for (let i = 0; i < x.length; i++) x[i] *= a; } });
 * setBackend('mine');   // scale is its own; every other kernel runs on js
 * ```
 */
export function registerBackend(b: Backend): void {
  if (typeof b?.name !== 'string' || b.name === '') throw new Error('registerBackend: a backend needs a name');
  const own = KERNELS.filter((k) => typeof b[k] === 'function');
  const kernels: Record<string, unknown> = { ...jsBackend };
  for (const k of own) kernels[k] = (b[k] as (...a: unknown[]) => unknown).bind(b); // a backend may be a class instance
  const full = { ...kernels, name: b.name } as unknown as ActiveBackend;
  backends.set(b.name, { full, own });
  if (active?.name === b.name) active = full;
}

registerBackend(jsBackend);
active = backends.get('js')!.full;
if (wasmBackend) {
  registerBackend(wasmBackend);
  active = backends.get('wasm')!.full;
}
if (nativeBackend) {
  registerBackend(nativeBackend);
  active = backends.get('native')!.full;
}

const loading = wasmBackendAsync.then((b) => {
  if (!b || backends.has('wasm')) return;
  registerBackend(b);
  if (!chosen && !nativeBackend) active = backends.get('wasm')!.full;
});

export function backend(): ActiveBackend {
  return active;
}

/**
 * Selects a registered backend for every op from now on: 'js', 'wasm' and 'native' where they
 * load (listBackends), or one given to registerBackend. Throws for an unknown name.
 *
 * @example
 * ```ts
 * setBackend('js');   // the readable reference kernels
 * ```
 */
export function setBackend(name: string): void {
  const b = backends.get(name);
  if (!b) throw new Error(`setBackend: unknown backend '${name}' (available: ${[...backends.keys()].join(', ')})`);
  active = b.full;
  chosen = true;
}

/** The name of the active backend: by default the fastest that loads here ('native', else 'wasm', else 'js'). */
export function getBackend(): string {
  return active.name;
}

/** Names of the registered backends that can run here. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/** The kernels a backend implements itself (the others run on js). */
export function ownKernels(name: string): KernelName[] {
  const b = backends.get(name);
  if (!b) throw new Error(`ownKernels: unknown backend '${name}' (available: ${[...backends.keys()].join(', ')})`);
  return [...b.own];
}

/**
 * Resolves when the fastest backend is loaded and its worker threads (setNumThreads) are
 * running. Optional: until then ops run, on js or on fewer threads, with the same results.
 */
export async function ready(): Promise<void> {
  await loading;
  await threadsReady();
}
