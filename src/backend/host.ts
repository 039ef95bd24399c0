// Cells as a typed-array backend (js, wasm, native) sees them: the unwrapping of a cell to its
// host array for each role (generated/host.ts applies them kernel by kernel; index.ts's hostStep).

import type { Cell, Data } from './types.js';
import { zeroData } from './zeros.js';

/** The error for a cell whose values are on a device while a typed-array backend is active. */
function onDevice(c: Cell): Error {
  return new Error(
    `a ${c.dtype} tensor of ${c.length} values is on the device, not on the host: use \`await t.read()\` before switching to a CPU backend`,
  );
}

/** A cell a kernel reads: its current host array (zeros where nothing wrote it yet). */
export function r(c: Cell): Data {
  if (c.hostValid) return c.host!;
  if (c.deviceValid || c.busy !== 0) throw onDevice(c);
  c.host ??= zeroData(c.dtype, c.length);
  c.hostValid = true;
  return c.host;
}

/** A cell a kernel writes whole: its host array, which becomes the current copy. */
export function w(c: Cell): Data {
  const d = r(c);
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
