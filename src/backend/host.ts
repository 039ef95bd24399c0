// The kernels over cells for a typed-array backend (js, wasm, native): each unwraps its cells to
// their host arrays and calls the backend's kernel. Written out kernel by kernel (no loop over
// KERNEL_IO, no rest arguments), since these run at every op: the tiny MLP's step must not feel it.

import type { Cell, CellKernels, Data, Kernels, MatmulArgs } from './contract.js';
import { zeroData } from './zeros.js';

/** The error for a cell whose values are on a device while a typed-array backend is active. */
function onDevice(c: Cell): Error {
  return new Error(
    `a ${c.dtype} tensor of ${c.length} values is on the device, not on the host: use \`await t.read()\` before switching to a CPU backend`,
  );
}

/** A cell a kernel reads: its current host array (zeros where nothing wrote it yet). */
function r(c: Cell): Data {
  if (c.hostValid) return c.host!;
  if (c.deviceValid || c.busy !== 0) throw onDevice(c);
  c.host ??= zeroData(c.dtype, c.length);
  c.hostValid = true;
  return c.host;
}

/** A cell a kernel writes whole: its host array, which becomes the current copy. */
function w(c: Cell): Data {
  const d = r(c);
  c.deviceValid = false;
  return d;
}

/** A cell a kernel writes in place: as w, and its version is bumped. */
function u(c: Cell): Data {
  const d = r(c);
  c.deviceValid = false;
  c.version++;
  return d;
}

const rn = (c: Cell | null) => (c === null ? null : u(c));

export function hostKernels(k: Kernels, name: string): CellKernels {
  return {
    name,
    unary: (op, x, out, p, q) => k.unary(op, r(x), w(out), p, q),
    binary: (op, a, as, b, bs, out, os) => k.binary(op, r(a), as, r(b), bs, w(out), os),
    reduce: (op, x, shape, axes, out) => k.reduce(op, r(x), shape, axes, w(out)),
    matmul: (a, b, out, args) =>
      k.matmul(r(a), r(b), u(out), args.bias === undefined ? (args as MatmulArgs) : { ...args, bias: r(args.bias) }),
    logSoftmax: (x, out, rows, cols) => k.logSoftmax(r(x), w(out), rows, cols),
    permute: (x, shape, perm, out) => k.permute(r(x), shape, perm, w(out)),
    pick: (x, idx, rows, cols, out) => k.pick(r(x), idx, rows, cols, w(out)),
    unpick: (g, idx, rows, cols, out) => k.unpick(r(g), idx, rows, cols, w(out)),
    gatherRows: (table, idx, cols, out) => k.gatherRows(r(table), idx, cols, w(out)),
    scatterAddRows: (g, idx, cols, skip, out) => k.scatterAddRows(r(g), idx, cols, skip, u(out)),
    where: (cond, a, b, out) => k.where(cond, r(a), r(b), w(out)),
    im2col: (x, g, padValue, out) => k.im2col(r(x), g, padValue, w(out)),
    col2im: (cols, g, out) => k.col2im(r(cols), g, u(out)),
    place: (x, xs, out, os, offset) => k.place(r(x), xs, u(out), os, offset),
    axpy: (y, x, alpha) => k.axpy(u(y), r(x), alpha),
    scale: (x, alpha) => k.scale(u(x), alpha),
    normAccumulate: (x, p, acc) => k.normAccumulate(r(x), p, acc),
    sgd: (p, g, m, args) => k.sgd(u(p), r(g), rn(m), args),
    adam: (p, g, m, v, vMax, args) => k.adam(u(p), r(g), u(m), u(v), rn(vMax), args),
    rmsprop: (p, g, s, ga, m, args) => k.rmsprop(u(p), r(g), u(s), rn(ga), rn(m), args),
  };
}

/** Runs a host computation over cells at once (a typed-array backend has nothing queued). */
export function hostStep(reads: readonly Cell[], updates: readonly Cell[], fn: (...data: Data[]) => void): void {
  fn(...reads.map(r), ...updates.map(u));
}
