// The kernel contract: the few primitives every backend implements over raw typed arrays.
// Ops (src/ops) call these; they never see tensors, graphs or gradients.

import type { Shape } from '../shape.js';

export type DType = 'float32' | 'float64';
export type Data = Float32Array | Float64Array;

/**
 * Elementwise maps. `step` is 1[x>0] and `sign` is -1/0/1 (constant masks for backward passes);
 * `leakyRelu` and `leakyStep` take the negative slope as `p`; `pow` takes the exponent as `p`;
 * `clamp` takes bounds `p`, `q`, and `clampMask` is 1 where p ≤ x ≤ q.
 */
export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'sign' | 'tanh' | 'sigmoid' | 'softplus'
  | 'relu' | 'step' | 'leakyRelu' | 'leakyStep' | 'gelu' | 'erf' | 'pow' | 'clamp' | 'clampMask';

/** Binary maps with NumPy broadcasting. `eq` gives 1 where equal, else 0. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'eq';

export type ReduceOp = 'sum' | 'max';

export interface MatmulArgs {
  m: number;
  k: number;
  n: number;
  /** Read A as stored [k, m] and use its transpose. */
  transA: boolean;
  /** Read B as stored [n, k] and use its transpose. */
  transB: boolean;
  aOffset: number;
  bOffset: number;
  outOffset: number;
  /**
   * Set when b's memory has not been written since any earlier call with the same b array and
   * the same bVersion (the ops pass it for parameters: leaves that require grad). A backend may
   * then reuse what it derived from b, such as packed panels; undefined means never reuse.
   */
  bVersion?: number;
  /**
   * The epilogue, applied to the finished product (so the bits are those of matmul, then add,
   * then relu): `bias`, n values at `biasOffset`, is added to every row; then, with `relu`,
   * each value becomes max(v, 0) as the relu kernel computes it (NaN and −0 give 0).
   */
  bias?: Data;
  biasOffset?: number;
  relu?: boolean;
}

export interface Backend {
  readonly name: string;
  unary(op: UnaryOp, x: Data, out: Data, p?: number, q?: number): void;
  binary(op: BinaryOp, a: Data, aShape: Shape, b: Data, bShape: Shape, out: Data, outShape: Shape): void;
  /** Reduces `axes` (sorted, unique) of x; out has x's shape with those axes removed (or kept as 1). */
  reduce(op: ReduceOp, x: Data, shape: Shape, axes: readonly number[], out: Data): void;
  /** out[m×n] = op(A)[m×k] · op(B)[k×n] (+ bias, relu: see MatmulArgs), one matrix of a batch, at the given offsets. */
  matmul(a: Data, b: Data, out: Data, args: MatmulArgs): void;
  /** Row-wise numerically stable log-softmax of a [rows, cols] matrix. */
  logSoftmax(x: Data, out: Data, rows: number, cols: number): void;
  /** out = x with its axes permuted: out.shape[i] = shape[perm[i]]. */
  permute(x: Data, shape: Shape, perm: readonly number[], out: Data): void;
  /** out[r] = x[r, idx[r]] for a [rows, cols] matrix. */
  pick(x: Data, idx: Int32Array, rows: number, cols: number, out: Data): void;
  /** out[r, idx[r]] = g[r], every other entry 0 (out is [rows, cols]). */
  unpick(g: Data, idx: Int32Array, rows: number, cols: number, out: Data): void;
  /** y ← y + αx in place (same length, same dtype): the plain SGD update. */
  axpy(y: Data, x: Data, alpha: number): void;
}
