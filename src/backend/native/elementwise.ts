// The native elementwise kernels (native/src/elementwise.c): tiny work handed to js, and the
// broadcast of a binary coalesced to as few axes as possible (shape.ts coalesceBroadcast), so
// same-shape, scalar and row-broadcast operands run as one or two C loops.

import { BINARY_CODE, UNARY_CODE, type BinaryOp, type Data, type Kernels, type UnaryOp } from '../contract.js';
import { coalesceBroadcast, sameShape, type Shape } from '../../shape.js';
import { small } from '../settings.js';
import { toJs } from '../handoff.js';
import type { Addon } from './addon.js';
import { Meta } from './meta.js';

/**
 * Below these lengths the js kernels run, a Node-API call costing more than the loop there
 * (bench/KERNELS.md, "Other thresholds"). Maps that call libm (exp, tanh, …) cost more per
 * element in js and always run native.
 */
export const NATIVE_MIN_MAP = 64;
export const NATIVE_MIN_BINARY = 128;
const CHEAP = new Set<UnaryOp>(['neg', 'abs', 'sign', 'relu', 'step', 'leakyRelu', 'leakyStep', 'clamp', 'clampMask']);

const ONE = [1];

export function makeElementwise(native: Addon): Pick<Kernels, 'unary' | 'binary' | 'fill'> {
  const meta = new Meta();
  const shape: number[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  const single = [0];
  return {
    unary(op: UnaryOp, x: Data, out: Data, p = 0, q = 0): void {
      if (CHEAP.has(op) && small(x.length, NATIVE_MIN_MAP)) {
        return toJs('unary')(op, x, out, p, q);
      }
      native.unary(UNARY_CODE[op], x, out, p, q);
    },
    fill(out: Data, value: number): void {
      if (small(out.length, NATIVE_MIN_MAP)) return toJs('fill')(out, value);
      native.fill(out, value);
    },
    binary(op: BinaryOp, a: Data, aShape: Shape, b: Data, bShape: Shape, out: Data, outShape: Shape): void {
      if (small(out.length, NATIVE_MIN_BINARY)) {
        return toJs('binary')(op, a, aShape, b, bShape, out, outShape);
      }
      const code = BINARY_CODE[op];
      if (sameShape(aShape, bShape)) {
        // The common case, with no stride arithmetic: one run over every element.
        single[0] = out.length;
        return native.binary(code, a, b, out, meta.fill(1, single, ONE, ONE));
      }
      coalesceBroadcast(outShape, aShape, bShape, shape, sa, sb);
      native.binary(code, a, b, out, meta.fill(shape.length, shape, sa, sb));
    },
  };
}
