// Pure TypeScript elementwise and broadcasting kernels: the readable reference.

import type { BinaryOp, Data, UnaryOp } from '../contract.js';
import { broadcastStrides, sameShape, sizeOf, type Shape } from '../../shape.js';
import { erf } from './erf.js';

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export function unary(op: UnaryOp, x: Data, out: Data, p = 0, q = 0): void {
  const n = x.length;
  switch (op) {
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i];
      break;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      break;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      break;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      break;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
      break;
    case 'sign':
      for (let i = 0; i < n; i++) out[i] = Math.sign(x[i]);
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        // Two forms so that exp never overflows.
        if (v >= 0) out[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          out[i] = e / (1 + e);
        }
      }
      break;
    case 'softplus':
      // log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}), stable for large |x|.
      for (let i = 0; i < n; i++) out[i] = Math.max(x[i], 0) + Math.log1p(Math.exp(-Math.abs(x[i])));
      break;
    case 'relu':
      for (let i = 0; i < n; i++) out[i] = x[i] < 0 ? 0 : x[i];
      break;
    case 'step':
      for (let i = 0; i < n; i++) out[i] = x[i] <= 0 ? 0 : 1;
      break;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : p * x[i];
      break;
    case 'leakyStep':
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : p;
      break;
    case 'gelu':
      for (let i = 0; i < n; i++) out[i] = 0.5 * x[i] * (1 + erf(x[i] * SQRT1_2));
      break;
    case 'erf':
      for (let i = 0; i < n; i++) out[i] = erf(x[i]);
      break;
    case 'geluGrad':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = 0.5 * (1 + erf(v * SQRT1_2)) + v * Math.exp(-0.5 * v * v) * INV_SQRT_2PI;
      }
      break;
    case 'pow':
      for (let i = 0; i < n; i++) out[i] = Math.pow(x[i], p);
      break;
    case 'clamp':
      for (let i = 0; i < n; i++) out[i] = Math.min(Math.max(x[i], p), q);
      break;
    case 'clampMask':
      for (let i = 0; i < n; i++) out[i] = x[i] >= p && x[i] <= q ? 1 : 0;
      break;
    default:
      throw new Error(`js backend: unknown unary op ${op as string}`);
  }
}

function apply(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
    case 'div':
      return a / b;
    case 'eq':
      return a === b ? 1 : 0;
  }
}

export function binary(op: BinaryOp, a: Data, aShape: Shape, b: Data, bShape: Shape, out: Data, outShape: Shape): void {
  const n = out.length;
  if (sameShape(aShape, bShape)) {
    switch (op) {
      case 'add':
        for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
        return;
      case 'sub':
        for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
        return;
      case 'mul':
        for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
        return;
      default:
        for (let i = 0; i < n; i++) out[i] = apply(op, a[i], b[i]);
        return;
    }
  }
  const aFull = sameShape(aShape, outShape);
  if (aFull && b.length === 1) {
    const s = b[0];
    for (let i = 0; i < n; i++) out[i] = apply(op, a[i], s);
    return;
  }
  // Row broadcast, the bias case: a is [..., C] and b is [C].
  const cols = bShape[bShape.length - 1];
  if (aFull && sizeOf(bShape) === cols && aShape[aShape.length - 1] === cols) {
    for (let r = 0; r < n; r += cols) for (let j = 0; j < cols; j++) out[r + j] = apply(op, a[r + j], b[j]);
    return;
  }
  // General case: walk the output with an n-d counter and two strided read positions.
  const rank = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let i = 0; i < n; i++) {
    out[i] = apply(op, a[ia], b[ib]);
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < outShape[d]) break;
      ia -= sa[d] * outShape[d];
      ib -= sb[d] * outShape[d];
      idx[d] = 0;
    }
  }
}

export function fill(out: Data, value: number): void {
  out.fill(value);
}

export function where(cond: Uint8Array, a: Data, b: Data, out: Data): void {
  for (let i = 0; i < out.length; i++) out[i] = cond[i] ? a[i] : b[i];
}
