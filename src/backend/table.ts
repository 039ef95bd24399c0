// The kernel table: every kernel by name, the family file that implements it in each backend, its
// arguments in order with their roles, and the op-code enums. It is the one hand-edited place for
// all of these. scripts/gen-tables.mjs reads it and writes (committed, checked by test/house):
//   src/backend/generated/kernels.ts  the Kernels interface, KERNEL_ARGS (roles by name), KERNEL_IO
//   src/backend/generated/host.ts     the typed-array backends' kernels over cells
//   src/backend/wasm/kernels/codes.ts the op codes for AssemblyScript
//   native/src/kernel_table.h         the op codes, declarations and the addon's KERNELS[] rows for C
//   src/backend/webgpu/generated/codes.ts  the op codes as WGSL constants
//
// Adding a kernel: a row here, then its implementation in `<family>` of each backend that has it
// (js/<family>.ts, wasm/kernels/<family>.ts with wasm/<family>.ts, native/src/<family>.c with
// native/<family>.ts, webgpu/kernels/<family>.ts), its parameters named as here, in order (the
// generator checks both); a backend without one runs js's. An `optional` kernel is a library's
// fast path that js does not have: an op calls it where the active backend has it (kernels().name
// is defined) and composes other kernels elsewhere.

/** The elementwise maps of the unary kernel (UnaryOp); the position in this list is the op code every backend uses. */
export const UNARY_OPS = [
  'neg',
  'exp',
  'log',
  'sqrt',
  'abs',
  'sign',
  'tanh',
  'sigmoid',
  'softplus',
  'relu',
  'step',
  'leakyRelu',
  'leakyStep',
  'gelu',
  'erf',
  'pow',
  'clamp',
  'clampMask',
  'geluGrad',
] as const;

/**
 * An elementwise map, with torch's values at NaN and −0. `relu` is 0 where x < 0, else x (so
 * relu(NaN) is NaN and relu(−0) is −0); `step`, relu's derivative, is 0 where x ≤ 0, else 1 (so
 * 1 at NaN, as torch's relu backward passes the gradient there); `sign` is -1/0/1 (constant
 * masks for backward passes);
 * `leakyRelu` and `leakyStep` take the negative slope as `p`; `pow` takes the exponent as `p`;
 * `clamp` takes bounds `p`, `q`, and `clampMask` is 1 where p ≤ x ≤ q; `geluGrad` is gelu's
 * derivative Φ(x) + x·φ(x) (Φ, φ: the standard normal CDF and density).
 */
export type UnaryOp = (typeof UNARY_OPS)[number];

/** The maps of the binary kernel, with NumPy broadcasting (BinaryOp; op code: the position). */
export const BINARY_OPS = ['add', 'sub', 'mul', 'div', 'eq'] as const;

/** The reductions of the reduce kernel (ReduceOp; op code: the position). */
export const REDUCE_OPS = ['sum', 'max'] as const;

/** A binary map: `eq` gives 1 where equal, else 0. */
export type BinaryOp = (typeof BINARY_OPS)[number];

/** A reduction along axes. */
export type ReduceOp = (typeof REDUCE_OPS)[number];

const codes = <T extends string>(ops: readonly T[]) =>
  Object.fromEntries(ops.map((op, i) => [op, i])) as Record<T, number>;
/** Each op's code: its position in its list. */
export const UNARY_CODE = codes(UNARY_OPS);
export const BINARY_CODE = codes(BINARY_OPS);
export const REDUCE_CODE = codes(REDUCE_OPS);

/**
 * What an argument is. Cells: `read` (only read), `write` (written whole), `update` (read and
 * written in place, or written in part), `update?` (as update, or null). The rest are passed as
 * they are: op codes, scalars, shapes, index and mask arrays, and option objects
 * (`MatmulArgs` and `ConvArgs` carry one cell they read: the bias).
 */
export type ArgType =
  | 'read'
  | 'write'
  | 'update'
  | 'update?'
  | 'UnaryOp'
  | 'BinaryOp'
  | 'ReduceOp'
  | 'number'
  | 'number?'
  | 'Shape'
  | 'axes'
  | 'Int32Array'
  | 'Uint8Array'
  | 'PatchGeometry'
  | 'MatmulArgs'
  | 'ConvArgs'
  | 'BatchNormArgs'
  | 'LayerNormArgs'
  | 'SgdArgs'
  | 'AdamArgs'
  | 'RmspropArgs';

/** The family files: a kernel lives in the file of its family in every backend. */
export type Family = 'elementwise' | 'matmul' | 'rows' | 'patches' | 'conv' | 'optim';

interface KernelRow {
  family: Family;
  /** The contract, as the Kernels interface documents it. */
  doc: string;
  args: Readonly<Record<string, ArgType>>;
  /** What it returns, when not void (it then runs at once, on host values). */
  returns?: 'number';
  /** Not every backend has it, js included: ops compose other kernels where kernels().name is undefined. */
  optional?: true;
}

export const KERNEL_TABLE = {
  unary: {
    family: 'elementwise',
    doc: 'out[i] = op(x[i]) (see UnaryOp for `p`, `q`); x and out have one length.',
    args: { op: 'UnaryOp', x: 'read', out: 'write', p: 'number?', q: 'number?' },
  },
  binary: {
    family: 'elementwise',
    doc: 'out = op(a, b) with NumPy broadcasting of aShape and bShape to outShape.',
    args: { op: 'BinaryOp', a: 'read', aShape: 'Shape', b: 'read', bShape: 'Shape', out: 'write', outShape: 'Shape' },
  },
  where: {
    family: 'elementwise',
    doc: 'out[i] = cond[i] ? a[i] : b[i], all of one length (the op broadcasts first).',
    args: { cond: 'Uint8Array', a: 'read', b: 'read', out: 'write' },
  },
  fill: {
    family: 'elementwise',
    doc: 'out[i] = value for every i (a tensor of one value, written whole).',
    args: { out: 'write', value: 'number' },
  },
  matmul: {
    family: 'matmul',
    doc: 'out[m×n] = op(A)[m×k] · op(B)[k×n] (+ bias, relu: see MatmulArgs), one matrix of a batch, at the given offsets.',
    args: { a: 'read', b: 'read', out: 'update', args: 'MatmulArgs' },
  },
  reduce: {
    family: 'rows',
    doc: "Reduces `axes` (sorted, unique) of x; out has x's shape with those axes removed (or kept as 1).",
    args: { op: 'ReduceOp', x: 'read', shape: 'Shape', axes: 'axes', out: 'write' },
  },
  logSoftmax: {
    family: 'rows',
    doc: 'Row-wise numerically stable log-softmax of a [rows, cols] matrix.',
    args: { x: 'read', out: 'write', rows: 'number', cols: 'number' },
  },
  softmax: {
    family: 'rows',
    doc: 'Row-wise softmax of a [rows, cols] matrix: e^(x − max) / Σ e^(x − max).',
    args: { x: 'read', out: 'write', rows: 'number', cols: 'number' },
    optional: true,
  },
  softmaxBackward: {
    family: 'rows',
    doc: "softmax's gradient from its output y: out = y ⊙ (gy − Σ_row gy ⊙ y), rows of `cols` values.",
    args: { y: 'read', gy: 'read', out: 'write', rows: 'number', cols: 'number' },
    optional: true,
  },
  layerNorm: {
    family: 'rows',
    doc: 'Layer normalisation of each row of x [rows, cols]: mean and rstd = 1/√(biased variance + eps) per row (written to mean and rstd, [rows]), out = (x − mean)·rstd·weight + bias (weight, bias: [cols]).',
    args: {
      x: 'read',
      weight: 'read',
      bias: 'read',
      out: 'write',
      mean: 'write',
      rstd: 'write',
      args: 'LayerNormArgs',
    },
    optional: true,
  },
  layerNormBackward: {
    family: 'rows',
    doc: "layerNorm's gradients for gy = dL/dout, from x and the row statistics layerNorm wrote: gx [rows, cols], gWeight and gBias [cols].",
    args: {
      x: 'read',
      gy: 'read',
      weight: 'read',
      mean: 'read',
      rstd: 'read',
      gx: 'write',
      gWeight: 'write',
      gBias: 'write',
      args: 'LayerNormArgs',
    },
    optional: true,
  },
  permute: {
    family: 'rows',
    doc: 'out = x with its axes permuted: out.shape[i] = shape[perm[i]].',
    args: { x: 'read', shape: 'Shape', perm: 'axes', out: 'write' },
  },
  pick: {
    family: 'rows',
    doc: 'out[r] = x[r, idx[r]] for a [rows, cols] matrix.',
    args: { x: 'read', idx: 'Int32Array', rows: 'number', cols: 'number', out: 'write' },
  },
  unpick: {
    family: 'rows',
    doc: 'out[r, idx[r]] = g[r], every other entry 0 (out is [rows, cols]).',
    args: { g: 'read', idx: 'Int32Array', rows: 'number', cols: 'number', out: 'write' },
  },
  gatherRows: {
    family: 'rows',
    doc: 'out[r, :] = table[idx[r], :] for r < idx.length, rows of `cols` values (an embedding lookup).',
    args: { table: 'read', idx: 'Int32Array', cols: 'number', out: 'write' },
  },
  scatterAddRows: {
    family: 'rows',
    doc: "out[idx[r], :] += g[r, :] in place, skipping r where idx[r] = skip (gatherRows' adjoint; skip −1 skips none).",
    args: { g: 'read', idx: 'Int32Array', cols: 'number', skip: 'number', out: 'update' },
  },
  batchNorm: {
    family: 'rows',
    doc: 'Batch normalisation in training of x [batch, channels, plane]: per channel the mean and biased variance of its batch·plane values (written to mean and variance, [channels]), out = (x − mean)/√(variance + eps)·weight + bias.',
    args: {
      x: 'read',
      weight: 'read',
      bias: 'read',
      out: 'write',
      mean: 'write',
      variance: 'write',
      args: 'BatchNormArgs',
    },
    optional: true,
  },
  batchNormBackward: {
    family: 'rows',
    doc: "batchNorm's gradients for gy = dL/dout, from x and the batch statistics batchNorm wrote: gx [batch, channels, plane], gWeight and gBias [channels].",
    args: {
      x: 'read',
      gy: 'read',
      weight: 'read',
      mean: 'read',
      variance: 'read',
      gx: 'write',
      gWeight: 'write',
      gBias: 'write',
      args: 'BatchNormArgs',
    },
    optional: true,
  },
  im2col: {
    family: 'patches',
    doc: 'The patch matrix of x [batch, channels, height, width] (im2col): out is [channels·kernelH·kernelW, batch·outH·outW], row (c, i, j), column (n, oh, ow); taps outside x read `padValue`.',
    args: { x: 'read', g: 'PatchGeometry', padValue: 'number', out: 'write' },
  },
  col2im: {
    family: 'patches',
    doc: 'The adjoint of im2col (col2im): out [batch, channels, height, width] = the sum of each patch entry at the pixel it came from (padding taps are dropped).',
    args: { cols: 'read', g: 'PatchGeometry', out: 'update' },
  },
  maxPool2d: {
    family: 'patches',
    doc: "Max pooling of each channel plane of x [batch, channels, height, width] over g's windows: out [batch, channels, outH, outW] holds the maxima and idx the flat index into x of each (the first of equal ones; a NaN wins, as torch's max_pool2d).",
    args: { x: 'read', g: 'PatchGeometry', out: 'write', idx: 'Int32Array' },
    optional: true,
  },
  maxPool2dBackward: {
    family: 'patches',
    doc: "maxPool2d's input gradient for gy = dL/dout: out (x's size) is 0 but out[idx[i]] += gy[i] for each of idx's i, in order (idx as maxPool2d wrote it).",
    args: { gy: 'read', idx: 'Int32Array', out: 'write' },
    optional: true,
  },
  place: {
    family: 'patches',
    doc: "Copies x into out (same rank) shifted by `offset`: x's element at index i goes to i + offset where that is inside out (offsets may be negative); the rest of out is left as it is.",
    args: { x: 'read', xShape: 'Shape', out: 'update', outShape: 'Shape', offset: 'axes' },
  },
  conv2d: {
    family: 'conv',
    doc: 'float32 2-D convolution: out [N, O, outH, outW] = x [N, C, H, W] ⋆ weight [O, C/groups, kH, kW] (+ bias, relu: see ConvArgs).',
    args: { x: 'read', weight: 'read', out: 'write', args: 'ConvArgs' },
    optional: true,
  },
  conv2dInputGrad: {
    family: 'conv',
    doc: "float32 conv2d's input gradient: out [N, C, H, W] = dL/dx for gy = dL/dy [N, O, outH, outW] (args.geometry is x's).",
    args: { gy: 'read', weight: 'read', out: 'write', args: 'ConvArgs' },
    optional: true,
  },
  conv2dWeightGrad: {
    family: 'conv',
    doc: "float32 conv2d's weight gradient: out [O, C/groups, kH, kW] = dL/dweight for x and gy = dL/dy.",
    args: { x: 'read', gy: 'read', out: 'write', args: 'ConvArgs' },
    optional: true,
  },
  axpy: {
    family: 'optim',
    doc: 'y ← y + αx in place (same length, same dtype): gradient accumulation (α = 1), the plain SGD step.',
    args: { y: 'update', x: 'read', alpha: 'number' },
  },
  scale: {
    family: 'optim',
    doc: 'x ← αx in place (gradient clipping).',
    args: { x: 'update', alpha: 'number' },
  },
  normAccumulate: {
    family: 'optim',
    doc: 'acc + Σ|x|ᵖ, or max(acc, max |x|) when p = ∞, in float64 (the norms of gradient clipping).',
    args: { x: 'read', p: 'number', acc: 'number' },
    returns: 'number',
  },
  sgd: {
    family: 'optim',
    doc: 'One SGD step in place on the parameter p (and the momentum buffer, when momentum > 0).',
    args: { p: 'update', grad: 'read', momentumBuffer: 'update?', args: 'SgdArgs' },
  },
  adam: {
    family: 'optim',
    doc: 'One Adam step in place on p, m, v (and vMax with amsgrad, else null).',
    args: { p: 'update', grad: 'read', m: 'update', v: 'update', vMax: 'update?', args: 'AdamArgs' },
  },
  rmsprop: {
    family: 'optim',
    doc: 'One RMSprop step in place on p, the square average (and the gradient average when centered, the momentum buffer when momentum > 0).',
    args: {
      p: 'update',
      grad: 'read',
      squareAvg: 'update',
      gradAvg: 'update?',
      momentumBuffer: 'update?',
      args: 'RmspropArgs',
    },
  },
} as const satisfies Record<string, KernelRow>;
