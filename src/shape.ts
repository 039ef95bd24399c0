// Shape arithmetic shared by ops and backends: sizes, strides, NumPy broadcasting.

/** A tensor shape: the size of each axis, outermost first (`[N, C, H, W]`; `[]` for a scalar). */
export type Shape = readonly number[];

/** The most elements a tensor may have: V8's typed arrays end at 2³² elements. */
export const MAX_ELEMENTS = 2 ** 32;

/**
 * Refuses a shape that no tensor can have, naming the call: a negative, fractional or
 * non-numeric size, or more elements than a typed array holds (which would otherwise be a bare
 * RangeError from the allocation, or a huge allocation).
 */
export function checkShape(op: string, shape: Shape): void {
  if (typeof shape !== 'object' || shape === null || typeof shape.length !== 'number')
    throw new Error(`${op}: the shape must be a list of sizes, got ${typeof shape}`);
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0)
      throw new Error(`${op}: shape ${shapeStr(shape)}: sizes must be non-negative integers`);
    n *= d;
  }
  if (n > MAX_ELEMENTS)
    throw new Error(`${op}: shape ${shapeStr(shape)} has ${n} elements, more than the limit of 2^32`);
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapeStr(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting: align from the right; each pair of sizes must be equal or one of them 1. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `${op}: shapes ${shapeStr(a)} and ${shapeStr(b)} cannot be broadcast: axis ${i} has sizes ${da} and ${db}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading a tensor of shape `from` as if it had the (broadcast) shape `to`:
 * axes that are missing or of size 1 get stride 0.
 */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const s = stridesOf(from);
  const out = new Array<number>(to.length).fill(0);
  const off = to.length - from.length;
  for (let i = 0; i < from.length; i++) out[off + i] = from[i] === 1 ? 0 : s[i];
  return out;
}

/**
 * A broadcast binary's axes to outShape, as few as they can be: size-1 axes dropped, and an axis
 * merged into the one after it where both operands step over it by that axis' stride times its
 * size (contiguous) or both broadcast it. Fills `dims` and the operands' strides `as`, `bs` (given
 * arrays, emptied first, so a hot caller can reuse them); at least one axis.
 */
export function coalesceBroadcast(
  outShape: Shape,
  aShape: Shape,
  bShape: Shape,
  dims: number[],
  as: number[],
  bs: number[],
): void {
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  dims.length = as.length = bs.length = 0;
  for (let d = 0; d < outShape.length; d++) {
    const size = outShape[d];
    if (size === 1) continue;
    const l = dims.length - 1;
    if (l >= 0 && as[l] === sa[d] * size && bs[l] === sb[d] * size) {
      dims[l] *= size;
      as[l] = sa[d];
      bs[l] = sb[d];
    } else {
      dims.push(size);
      as.push(sa[d]);
      bs.push(sb[d]);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    as.push(0);
    bs.push(0);
  }
}

/** Normalises a possibly negative axis, naming the op when it is out of range. */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= Math.max(rank, 1)) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** Axes to reduce: all when undefined, else normalised, sorted, unique. */
export function normAxes(op: string, axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const set = new Set(list.map((a) => normAxis(op, a, rank)));
  if (set.size !== list.length) throw new Error(`${op}: repeated axis in ${JSON.stringify(list)}`);
  return [...set].sort((x, y) => x - y);
}

export function reducedShape(shape: Shape, axes: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepdim) out.push(1);
    } else out.push(shape[i]);
  }
  return out;
}
