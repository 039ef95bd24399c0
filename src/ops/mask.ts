// Boolean masks, as where, maskedFill and attention take them. nabla has no bool dtype: a mask is
// nested JavaScript booleans, or a Tensor whose nonzero entries are true (tril(ones([T, T])), an
// eq comparison, ...).

import { Tensor } from '../tensor.js';
import { broadcastShapes, sameShape, shapeStr } from '../shape.js';

/** A boolean or nested arrays of booleans, as a mask: `[[true, false], [true, true]]` is shape [2, 2]. */
export type NestedBoolean = boolean | NestedBoolean[];
/** A mask read once: its truth values (0 or 1) in row-major order and its shape. */
export interface BoolMask {
  /** 1 where true, 0 where false, row-major. */
  readonly values: Uint8Array;
  /** The mask's shape. */
  readonly shape: readonly number[];
}
/**
 * A boolean mask, as where, maskedFill and attention take it (nabla has no bool dtype): nested
 * booleans, a Tensor whose nonzero entries are true (tril(ones([T, T])), ...), or a BoolMask.
 */
export type Mask = Tensor | NestedBoolean | BoolMask;

const isBoolMask = (m: unknown): m is BoolMask =>
  typeof m === 'object' &&
  m !== null &&
  (m as BoolMask).values instanceof Uint8Array &&
  Array.isArray((m as BoolMask).shape);

/** A mask's truth values and shape. */
export function readMask(op: string, mask: Mask): BoolMask {
  if (isBoolMask(mask)) return mask;
  if (mask instanceof Tensor)
    return { values: Uint8Array.from(mask.data, (v) => (v !== 0 ? 1 : 0)), shape: [...mask.shape] };
  const shape: number[] = [];
  const values: number[] = [];
  const walk = (v: NestedBoolean, depth: number): void => {
    if (typeof v === 'boolean') {
      if (depth !== shape.length) throw new Error(`${op}: the mask is a ragged nested array at depth ${depth}`);
      values.push(v ? 1 : 0);
      return;
    }
    if (!Array.isArray(v))
      throw new Error(
        `${op}: a mask must be a Tensor or nested arrays of booleans, got ${v === null ? 'null' : typeof v}`,
      );
    if (depth === shape.length) shape.push(v.length);
    else if (shape[depth] !== v.length) throw new Error(`${op}: the mask is a ragged nested array at depth ${depth}`);
    for (const w of v) walk(w, depth + 1);
  };
  walk(mask, 0);
  return { values: Uint8Array.from(values), shape };
}

/** The mask repeated to `shape` (it must broadcast to it, not beyond). */
export function broadcastMask(op: string, mask: BoolMask, shape: readonly number[]): Uint8Array {
  const full = broadcastShapes(op, mask.shape, shape);
  if (!sameShape(full, shape))
    throw new Error(`${op}: a mask of shape ${shapeStr(mask.shape)} does not broadcast to ${shapeStr(shape)}`);
  if (sameShape(mask.shape, shape)) return mask.values;
  const out = new Uint8Array(full.reduce((p, d) => p * d, 1));
  const lead = shape.length - mask.shape.length;
  const strides = new Array<number>(shape.length).fill(0);
  for (let d = mask.shape.length - 1, s = 1; d >= 0; d--) {
    strides[lead + d] = mask.shape[d] === 1 ? 0 : s;
    s *= mask.shape[d];
  }
  const pos = new Array<number>(shape.length).fill(0);
  let src = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = mask.values[src];
    for (let d = shape.length - 1; d >= 0; d--) {
      pos[d]++;
      src += strides[d];
      if (pos[d] < shape[d]) break;
      src -= strides[d] * pos[d];
      pos[d] = 0;
    }
  }
  return out;
}
