// Cells as a typed-array backend (js, wasm, native) sees them: the unwrapping of a cell to its
// host array for each role (generated/host.ts applies them kernel by kernel; index.ts's hostStep).

import type { Cell, Data } from './types.js';
import { takeData } from './pool.js';

/** The error for a cell whose values are on a device while a typed-array backend is active. */
function onDevice(c: Cell): Error {
  return new Error(
    `a ${c.dtype} tensor of ${c.length} values is on the device, not on the host: use \`await t.read()\` before switching to a CPU backend`,
  );
}

/** Why a released cell cannot be used (cells.ts releaseCells; fit releases what each step made). */
export const RELEASED =
  'its memory was released at the end of the training step that made it (fit recycles what a step made, except the parameters and buffers, their gradients and the optimizer state); read what you need in the step, or copy it';

/** The error for a cell whose memory a step scope released. */
function released(c: Cell): Error {
  return new Error(`a ${c.dtype} tensor of ${c.length} values: ${RELEASED}`);
}

/** The host array of a cell that has no current copy yet: zeros (nothing wrote it), or any values when `whole` will be written. */
function fresh(c: Cell, whole: boolean): Data {
  if (c.released) throw released(c);
  if (c.deviceValid || c.busy !== 0) throw onDevice(c);
  c.host ??= takeData(c.dtype, c.length, !whole);
  c.hostValid = true;
  return c.host;
}

/** A cell a kernel reads: its current host array (zeros where nothing wrote it yet). */
export function r(c: Cell): Data {
  return c.hostValid ? c.host! : fresh(c, false);
}

/** A cell a kernel writes whole: its host array, which becomes the current copy (not zero-filled first). */
export function w(c: Cell): Data {
  const d = c.hostValid ? c.host! : fresh(c, true);
  c.deviceValid = false;
  return d;
}

/** A cell a kernel writes in place: as w, and its version is bumped. */
export function u(c: Cell): Data {
  const d = r(c);
  c.deviceValid = false;
  c.version++;
  return d;
}

/** A cell a kernel may update in place, or null. */
export const un = (c: Cell | null) => (c === null ? null : u(c));

/** Options (matmul's, conv2d's) with their bias cell, if any, unwrapped as read. */
export function withBias<T extends { bias?: Data }>(args: Omit<T, 'bias'> & { bias?: Cell }): T {
  return (args.bias === undefined ? args : { ...args, bias: r(args.bias) }) as T;
}
