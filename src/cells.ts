// Tensor memory: the cells tensors own (a host typed array and/or a device handle, which of them
// is current, and the write version) and their allocation. Views (reshape, detach, Parameter)
// share a cell. Nothing above tensors lives here.

import { Cell, type CellOwner, type Data, type DType } from './backend/contract.js';

export { Cell };
import { kernels, readCells } from './backend/index.js';
import { RELEASED } from './backend/host.js';
import { disown, recycleData, takeData } from './backend/pool.js';
import { zeroData } from './backend/zeros.js';

/** A zero-filled host array (for values computed in TypeScript); see allocCell for kernel outputs. */
export function allocData(dtype: DType, n: number): Data {
  return zeroData(dtype, n);
}

/**
 * A cell for a kernel's output, with no memory yet: the kernel that writes it takes an array
 * where it runs (on the host, from the pool: backend/pool.ts, not zero-filled when it writes it
 * whole); until then it reads as zeros.
 */
export function allocCell(dtype: DType, n: number): Cell {
  const c = new Cell(dtype, n, null);
  if (allocations) allocations.add(c);
  scope?.push(c);
  return c;
}

/** A cell over a host array (`new Tensor(data)`, an op's mask or padding), recorded as allocCell's are. */
export function hostCell(data: Data, dtype: DType = data instanceof Float64Array ? 'float64' : 'float32'): Cell {
  disown(data); // another cell may hold it too: it must never return to the pool
  const c = new Cell(dtype, data.length, data);
  if (allocations) allocations.add(c);
  scope?.push(c);
  return c;
}

// The cells made while a scope collects them (a training step on a device backend: fit frees
// their device memory at the step's end instead of waiting for the garbage collector, which
// feels no device memory pressure). null when no scope is open.
let scope: Cell[] | null = null;

/** Starts collecting the cells made from now on into `list` (or stops, with null); returns the previous list. */
export function collectCells(list: Cell[] | null): Cell[] | null {
  const previous = scope;
  scope = list;
  return previous;
}

/** Runs fn collecting the cells it makes into `list`; the scope open before is restored after. */
export function collecting<T>(list: Cell[], fn: () => T): T {
  const outer = collectCells(list);
  try {
    return fn();
  } finally {
    collectCells(outer);
  }
}

/**
 * Releases the memory of the cells not in `keep` and returns the kept ones: a host array the pool
 * handed out goes back to it (the cell can no longer be used), and device memory is freed after
 * the device work queued before (a cell whose values were on the device alone can no longer be
 * used). Host arrays the pool does not own (a user's, a batch's) stay as they are.
 */
export function releaseCells(cells: readonly Cell[], keep: ReadonlySet<Cell>): Cell[] {
  const kept: Cell[] = [];
  const byOwner = new Map<CellOwner, Cell[]>();
  for (const c of cells) {
    if (keep.has(c)) {
      kept.push(c);
      continue;
    }
    if (c.host !== null && c.busy === 0 && !c.released && recycleData(c.host)) {
      c.host = null;
      c.hostValid = false;
      c.released = true;
    }
    if (c.owner) {
      let list = byOwner.get(c.owner);
      if (!list) byOwner.set(c.owner, (list = []));
      list.push(c);
    }
  }
  for (const [owner, list] of byOwner) owner.release(list);
  return kept;
}

// The cells whose version a backend keys cached work on (MatmulArgs.bVersion: the wasm backend's
// packed weight panels), by their host array. Two tensors made with `new Tensor(sameArray)` have
// two cells; a host write marked on either must still reach the one a cache watches. (A WeakMap
// entry per op output would cost the tiny MLP's step; parameters are few.)
const watched = new WeakMap<Data, Cell>();

/** The write version of a parameter's cell, for a backend to key cached work on (MatmulArgs.bVersion). */
export function cacheVersion(c: Cell): number {
  if (c.host !== null && !c.watched) {
    c.watched = true;
    watched.set(c.host, c);
  }
  return c.version;
}

// While a backward pass runs, the cells allocated by ops (autograd/engine.ts: a leaf may keep a
// gradient made in its own pass instead of copying it). null outside backward passes.
let allocations: WeakSet<Cell> | null = null;

/** Starts (with a set) or stops (null) recording allocated cells; returns the previous set. */
export function recordAllocations(set: WeakSet<Cell> | null): WeakSet<Cell> | null {
  const previous = allocations;
  allocations = set;
  return previous;
}

/**
 * The host values of a cell whose host copy is current (a cell nothing wrote gets zeros); `what`
 * names the tensor in the error thrown when its values are on a device.
 */
export function hostData(c: Cell, what: string): Data {
  if (c.released) throw new Error(`${what}: ${RELEASED}`);
  if (c.busy === 0) {
    if (c.hostValid) return c.host!;
    if (!c.deviceValid) {
      c.host ??= takeData(c.dtype, c.length, true);
      c.hostValid = true;
      return c.host;
    }
  }
  throw new Error(`${what}: the values are on the device; use \`await t.read()\` (or readAll) to read them`);
}

/**
 * Records a write into the host copy (markChanged): the host copy becomes the current one, to be
 * uploaded at the next device use, and the version is bumped.
 */
export function markHostWritten(c: Cell): void {
  c.deviceValid = false;
  c.version++;
  const w = c.host && watched.get(c.host);
  if (w && w !== c) markHostWritten(w);
}

/** The cells' values as host arrays, after the device work queued before (one round trip per device). */
export async function readHostData(cells: readonly Cell[]): Promise<Data[]> {
  await readCells(cells);
  return cells.map((c) => hostData(c, 'read'));
}

/** A new cell with a copy of c's values (a host copy, or a device kernel where c is on the device). */
export function copyCell(c: Cell, shape: readonly number[]): Cell {
  if (c.hostValid && c.busy === 0) return new Cell(c.dtype, c.length, c.host!.slice());
  const out = allocCell(c.dtype, c.length);
  kernels().place(
    c,
    shape,
    out,
    shape,
    shape.map(() => 0),
  );
  return out;
}
