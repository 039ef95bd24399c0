// The native elementwise kernels (native/src/elementwise.c): op names to the C codes, tiny work
// handed to js, and the
// broadcast of a binary coalesced to as few axes as possible (adjacent axes that step alike
// merge), so same-shape, scalar and row-broadcast operands run as one or two C loops.

import { BINARY_CODE, UNARY_CODE, type BinaryOp, type Data, type Kernels, type UnaryOp } from '../contract.js';
import { broadcastStrides, sameShape, type Shape } from '../../shape.js';
import { small } from '../settings.js';
import { toJs } from '../handoff.js';
import type { Addon } from './addon.js';
import { Meta } from './meta.js';

/**
 * Below these lengths the js kernels run: a Node-API call costs about 0.2 µs, a binary's 0.5 µs
 * with its shape metadata. Measured here (AMD EPYC, µs, js vs native): relu 16: 0.08 vs 0.22,
 * 256: 0.69 vs 0.23; add 16: 0.19 vs 0.63, 256: 0.84 vs 0.54. Maps that call libm (exp, tanh, …)
 * cost more per element in js and always run native.
 */
export const NATIVE_MIN_MAP = 64;
export const NATIVE_MIN_BINARY = 128;
const CHEAP = new Set<UnaryOp>(['neg', 'abs', 'sign', 'relu', 'step', 'leakyRelu', 'leakyStep', 'clamp', 'clampMask']);

const ONE = [1];

export function makeElementwise(native: Addon): Pick<Kernels, 'unary' | 'binary'> {
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
      const fa = broadcastStrides(aShape, outShape);
      const fb = broadcastStrides(bShape, outShape);
      // Coalesce: axis d folds into the axis after it when both operands step over it by the
      // next axis' stride times its length (contiguous), or not at all (broadcast).
      shape.length = sa.length = sb.length = 0;
      for (let d = 0; d < outShape.length; d++) {
        if (outShape[d] === 1) continue;
        const r = shape.length - 1;
        if (r >= 0 && sa[r] === fa[d] * outShape[d] && sb[r] === fb[d] * outShape[d]) {
          shape[r] *= outShape[d];
          sa[r] = fa[d];
          sb[r] = fb[d];
        } else {
          shape.push(outShape[d]);
          sa.push(fa[d]);
          sb.push(fb[d]);
        }
      }
      native.binary(code, a, b, out, meta.fill(shape.length, shape, sa, sb));
    },
  };
}
