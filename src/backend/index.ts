// The active backend, and the dispatcher. Ops ask for it at every call, so switching takes effect
// at once. Ops pass cells (tensor memory, contract.ts): a typed-array backend (js, wasm, native)
// gets their host arrays (host.ts); a device backend's kernels run in its stream (device.ts).
//
// A backend registers the kernels it implements (contract.ts); the kernels it lacks run on js.
// The default is the fastest available: 'native' in Node where its addon loads, else 'wasm' where
// the engine has wasm SIMD, else 'js'.
// In Node the wasm backend loads synchronously at import; where an engine only compiles
// asynchronously (some browsers' main threads), 'js' serves until `await ready()` says wasm is in.

import {
  KERNEL_IO,
  type Backend,
  type Cell,
  type CellKernels,
  type Data,
  type DeviceBackend,
  type DeviceMemory,
  type KernelName,
  type Kernels,
} from './contract.js';
import { DeviceDispatch } from './device.js';
import { hostKernels } from './generated/host.js';
import { r, u } from './host.js';
import { jsBackend } from './js/index.js';
import { addonLoadError } from '#native-addon';
import { nativeBackend } from './native/index.js';
import { threadsReady, wasmBackend, wasmBackendAsync } from './wasm/index.js';

/** A registered backend with every kernel filled in (its own, else js's). */
export type ActiveBackend = Kernels & { readonly name: string };

const KERNELS = Object.keys(KERNEL_IO) as KernelName[];

/** A registered backend: its typed-array kernels, its kernels over cells, and for a device backend its dispatcher. */
interface Entry {
  full: ActiveBackend;
  own: KernelName[];
  cells: CellKernels;
  device: DeviceDispatch | null;
}

/** Device backends that open on first selection (an adapter and a device to await). */
const OPENERS: Record<string, () => Promise<DeviceBackend>> = {
  webgpu: () => import('./webgpu/index.js').then((m) => m.openWebGPU()),
};
const opening = new Map<string, Promise<void>>();

const backends = new Map<string, Entry>();
let entry: Entry;
let active: ActiveBackend;
let cells: CellKernels;
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
  install({ full, own, cells: hostKernels(full, b.name), device: null });
}

/**
 * Registers (or replaces) a backend whose tensors live on a device; setBackend(name) then selects
 * it. Ops reach it through its dispatcher (backend/device.ts); callers of the typed-array kernels
 * (arrayKernels()) get js's. Internal: the library's device backend is 'webgpu', opened by setBackend.
 */
export function registerDeviceBackend(b: DeviceBackend): void {
  if (typeof b?.name !== 'string' || b.name === '') throw new Error('registerDeviceBackend: a backend needs a name');
  const device = new DeviceDispatch(b);
  const own = KERNELS.filter((k) => typeof b.kernels[k] === 'function');
  install({ full: { ...jsBackend, name: b.name }, own, cells: device.kernels, device });
}

function install(e: Entry): void {
  backends.set(e.full.name, e);
  if (entry?.full.name === e.full.name) select(e);
}

function select(e: Entry): void {
  entry = e;
  active = e.full;
  cells = e.cells;
}

registerBackend(jsBackend);
select(backends.get('js')!);
if (wasmBackend) {
  registerBackend(wasmBackend);
  select(backends.get('wasm')!);
}
if (nativeBackend) {
  registerBackend(nativeBackend);
  select(backends.get('native')!);
}

const loading = wasmBackendAsync.then((b) => {
  if (!b || backends.has('wasm')) return;
  registerBackend(b);
  if (!chosen && !nativeBackend) select(backends.get('wasm')!);
});

/**
 * The active backend's kernels over typed arrays (js's on a device backend), for tests and
 * benchmarks that call a kernel on arrays directly; ops call kernels() over cells.
 */
export function arrayKernels(): ActiveBackend {
  return active;
}

/** Whether the active backend is a device backend (its kernels allocate their outputs there). */
export function onDevice(): boolean {
  return entry.device !== null;
}

/** The active backend's kernels over cells: what ops and optimizers call. */
export function kernels(): CellKernels {
  return cells;
}

/**
 * Runs a computation that has no kernel (an op's loop over values) on the host arrays of cells:
 * `fn` gets the arrays of `reads`, then of `updates` (written in place). At once on a CPU backend;
 * on a device backend a host step in its stream, reported under `name` in backendInfo().fallbacks.
 */
export function hostStep(
  name: string,
  reads: readonly Cell[],
  updates: readonly Cell[],
  fn: (...data: Data[]) => void,
): void {
  if (entry.device) entry.device.queueHostStep(name, 'a loop over values, not a kernel', reads, updates, fn);
  else fn(...reads.map(r), ...updates.map(u));
}

/** Makes the cells' host copies current: after the queued device work, one download per device. */
export async function readCells(list: readonly Cell[]): Promise<void> {
  // Every device's stream, not only the cells' owners: a cell whose writer is still queued has
  // no device memory (nor owner) yet.
  for (const e of backends.values()) if (e.device) await e.device.read(list);
}

/** How often, and why, a kernel or an op's loop ran on the host instead of the device. */
export interface FallbackInfo {
  /** Calls that ran on the host. */
  count: number;
  /** Why: no device kernel, float64, arguments it does not support, a loop over values. */
  reason: string;
}

/** What backendInfo() reports. */
export interface BackendInfo {
  /** The active backend's name. */
  name: string;
  /** Whether its tensors live on a device (read them with `await t.read()`). */
  device: boolean;
  /** The kernels it implements itself (the others run on js). */
  ownKernels: KernelName[];
  /**
   * On a device backend, the kernels (and op loops) that ran on the host instead, with how often
   * and why (no device kernel, float64, arguments it does not support).
   */
  fallbacks: Record<string, FallbackInfo>;
  /** On a device backend, its adapter's description ("SwiftShader …" on the software adapter). */
  adapter?: string;
  /** On a device backend, its memory (bytes held now, the high-water mark) and its transfers. */
  memory?: DeviceMemory;
  /**
   * In Node, where the native backend did not load, why, in one line (say, `the package
   * nabla-linux-x64-gnu is not installed`); absent where it loaded or outside Node.
   */
  nativeAbsent?: string;
}

/**
 * The active backend: its name, whether it is a device backend, its own kernels, and on a device
 * backend what ran on the host instead (and why).
 *
 * @example
 * ```ts
 * backendInfo().fallbacks;   // e.g. { logSoftmax: { count: 12, reason: 'no device kernel' } }
 * ```
 */
export function backendInfo(): BackendInfo {
  return {
    name: active.name,
    device: entry.device !== null,
    ownKernels: [...entry.own],
    fallbacks: structuredClone(entry.device?.fallbacks ?? {}),
    ...(entry.device && { adapter: entry.device.device.description, memory: entry.device.device.memory?.() }),
    ...(addonLoadError !== null && { nativeAbsent: addonLoadError }),
  };
}

/**
 * Selects a backend for every op from now on: 'js', 'wasm' and 'native' where they load
 * (listBackends), one given to registerBackend, or 'webgpu'. A registered backend is selected at
 * once (the promise is already resolved); 'webgpu' first opens its adapter and device, so await
 * it: the promise rejects, with the reason, where there is no WebGPU, and the backend stays as it
 * was. Throws at once for an unknown name.
 *
 * @example
 * ```ts
 * setBackend('js');             // the readable reference kernels
 * await setBackend('webgpu');   // tensors on the GPU: read them with `await t.read()`
 * ```
 */
export function setBackend(name: string): Promise<void> {
  const b = backends.get(name);
  if (b) {
    select(b);
    chosen = true;
    return Promise.resolve();
  }
  const open = OPENERS[name];
  const available = [...backends.keys(), ...Object.keys(OPENERS)].join(', ');
  if (name === 'native' && addonLoadError !== null)
    throw new Error(`setBackend: the native backend did not load here (${addonLoadError}); available: ${available}`);
  if (!open) throw new Error(`setBackend: unknown backend '${name}' (available: ${available})`);
  let p = opening.get(name);
  if (!p) {
    p = open().then(registerDeviceBackend, (e: unknown) => {
      opening.delete(name); // a later call may try again (say, after installing the package)
      throw e;
    });
    opening.set(name, p);
  }
  return p.then(() => setBackend(name));
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
