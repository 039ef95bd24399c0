// The kernel contract: the few primitives a backend implements over raw typed arrays, by name.
// Ops (src/ops) and optimizers (src/optim) call these; kernels never see tensors, graphs or
// gradients. A new backend implements the kernels it can; backend/index.ts fills in the rest
// from js and reports which ones are its own.

import type { Shape } from '../shape.js';

/** A tensor's element type: 'float32' (the default) or 'float64'. */
export type DType = 'float32' | 'float64';

/** The largest finite float32 (FLT_MAX). */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** A tensor's memory: a Float32Array or a Float64Array, row-major. */
export type Data = Float32Array | Float64Array;

/**
 * Elementwise maps, with torch's values at NaN and −0. `relu` is 0 where x < 0, else x (so
 * relu(NaN) is NaN and relu(−0) is −0); `step`, relu's derivative, is 0 where x ≤ 0, else 1 (so
 * 1 at NaN, as torch's relu backward passes the gradient there); `sign` is -1/0/1 (constant
 * masks for backward passes);
 * `leakyRelu` and `leakyStep` take the negative slope as `p`; `pow` takes the exponent as `p`;
 * `clamp` takes bounds `p`, `q`, and `clampMask` is 1 where p ≤ x ≤ q.
 */
export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'sign' | 'tanh' | 'sigmoid' | 'softplus'
  | 'relu' | 'step' | 'leakyRelu' | 'leakyStep' | 'gelu' | 'erf' | 'pow' | 'clamp' | 'clampMask';

/** Binary maps with NumPy broadcasting. `eq` gives 1 where equal, else 0. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'eq';

/** Reductions along axes. */
export type ReduceOp = 'sum' | 'max';

/** The sizes, layout, offsets and epilogue of one matrix product (Kernels.matmul). */
export interface MatmulArgs {
  /** Rows of op(A) and of the output. */
  m: number;
  /** The shared dimension: columns of op(A), rows of op(B). */
  k: number;
  /** Columns of op(B) and of the output. */
  n: number;
  /** Read A as stored [k, m] and use its transpose. */
  transA: boolean;
  /** Read B as stored [n, k] and use its transpose. */
  transB: boolean;
  /** Where the matrix starts in `a` (one matrix of a batch). */
  aOffset: number;
  /** Where the matrix starts in `b`. */
  bOffset: number;
  /** Where the output matrix starts in `out`. */
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
   * each value becomes relu(v) as the relu kernel computes it (NaN stays NaN, −0 stays −0).
   */
  bias?: Data;
  /** Where the n bias values start in `bias` (default 0). */
  biasOffset?: number;
  /** Apply ReLU after the bias (see `bias`). */
  relu?: boolean;
}

/** Hyper-parameters of one SGD step (torch.optim.SGD); `first` is set on a buffer's first step. */
export interface SgdArgs {
  /** Learning rate. */
  lr: number;
  /** Momentum factor (0: no momentum buffer). */
  momentum: number;
  /** Dampening of the momentum. */
  dampening: number;
  /** Nesterov momentum. */
  nesterov: boolean;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** The momentum buffer's first step (it starts as the gradient). */
  first: boolean;
}

/** Hyper-parameters of one Adam/AdamW step; `step` counts this parameter's updates from 1. */
export interface AdamArgs {
  /** Learning rate. */
  lr: number;
  /** Decay rate of the first-moment (mean) estimate. */
  beta1: number;
  /** Decay rate of the second-moment (uncentered variance) estimate. */
  beta2: number;
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** Weight decay λ (see `decoupled`). */
  weightDecay: number;
  /** AdamW's decoupled decay θ ← θ(1 − ηλ) instead of Adam's L2 term g ← g + λθ. */
  decoupled: boolean;
  /** This parameter's update count, from 1 (for the bias corrections). */
  step: number;
}

/** Hyper-parameters of one RMSprop step. */
export interface RmspropArgs {
  /** Learning rate. */
  lr: number;
  /** Smoothing constant of the square average. */
  alpha: number;
  /** Added to the denominator for numerical stability. */
  eps: number;
  /** L2 penalty added to the gradient. */
  weightDecay: number;
  /** Momentum factor (0: no momentum buffer). */
  momentum: number;
}

/**
 * Where the patches of a 2-D convolution or pooling window come from, for x [batch, channels,
 * height, width]: output position (oh, ow), kernel tap (i, j) reads
 * x[·, ·, oh·strideH − padTop + i·dilationH, ow·strideW − padLeft + j·dilationW], which is
 * padding when it falls outside x. The bottom and right padding are implied by outH and outW.
 */
export interface PatchGeometry {
  /** Images in the batch (x's axis 0). */
  batch: number;
  /** Channels (x's axis 1). */
  channels: number;
  /** Input height (x's axis 2). */
  height: number;
  /** Input width (x's axis 3). */
  width: number;
  /** Kernel (window) height. */
  kernelH: number;
  /** Kernel (window) width. */
  kernelW: number;
  /** Vertical step between windows. */
  strideH: number;
  /** Horizontal step between windows. */
  strideW: number;
  /** Padding rows above the input. */
  padTop: number;
  /** Padding columns left of the input. */
  padLeft: number;
  /** Vertical spacing of kernel taps (1: adjacent). */
  dilationH: number;
  /** Horizontal spacing of kernel taps (1: adjacent). */
  dilationW: number;
  /** Output height. */
  outH: number;
  /** Output width. */
  outW: number;
}

/**
 * Every kernel, by name. The js backend implements all of them; any other backend implements
 * those it can (see Backend) and the rest run on js. In-place kernels say so.
 */
export interface Kernels {
  /** out[i] = op(x[i]) (see UnaryOp for `p`, `q`); x and out have one length. */
  unary(op: UnaryOp, x: Data, out: Data, p?: number, q?: number): void;
  /** out = op(a, b) with NumPy broadcasting of aShape and bShape to outShape. */
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
  /** out[r, :] = table[idx[r], :] for r < idx.length, rows of `cols` values (an embedding lookup). */
  gatherRows(table: Data, idx: Int32Array, cols: number, out: Data): void;
  /** out[idx[r], :] += g[r, :] in place, skipping r where idx[r] = skip (gatherRows' adjoint; skip −1 skips none). */
  scatterAddRows(g: Data, idx: Int32Array, cols: number, skip: number, out: Data): void;
  /** out[i] = cond[i] ? a[i] : b[i], all of one length (the op broadcasts first). */
  where(cond: Uint8Array, a: Data, b: Data, out: Data): void;
  /**
   * The patch matrix of x [batch, channels, height, width] (im2col): out is
   * [channels·kernelH·kernelW, batch·outH·outW], row (c, i, j), column (n, oh, ow); taps outside
   * x read `padValue`.
   */
  im2col(x: Data, g: PatchGeometry, padValue: number, out: Data): void;
  /** The adjoint of im2col (col2im): out [batch, channels, height, width] = the sum of each patch entry at the pixel it came from (padding taps are dropped). */
  col2im(cols: Data, g: PatchGeometry, out: Data): void;
  /**
   * Copies x into out (same rank) shifted by `offset`: x's element at index i goes to i + offset
   * where that is inside out (offsets may be negative); the rest of out is left as it is.
   */
  place(x: Data, xShape: Shape, out: Data, outShape: Shape, offset: readonly number[]): void;
  /** y ← y + αx in place (same length, same dtype): gradient accumulation (α = 1), the plain SGD step. */
  axpy(y: Data, x: Data, alpha: number): void;
  /** x ← αx in place (gradient clipping). */
  scale(x: Data, alpha: number): void;
  /** acc + Σ|x|ᵖ, or max(acc, max |x|) when p = ∞, in float64 (the norms of gradient clipping). */
  normAccumulate(x: Data, p: number, acc: number): number;
  /** One SGD step in place on the parameter p (and the momentum buffer, when momentum > 0). */
  sgd(p: Data, grad: Data, momentumBuffer: Data | null, args: SgdArgs): void;
  /** One Adam step in place on p, m, v (and vMax with amsgrad, else null). */
  adam(p: Data, grad: Data, m: Data, v: Data, vMax: Data | null, args: AdamArgs): void;
  /** One RMSprop step in place on p, the square average (and the gradient average when centered, the momentum buffer when momentum > 0). */
  rmsprop(p: Data, grad: Data, squareAvg: Data, gradAvg: Data | null, momentumBuffer: Data | null, args: RmspropArgs): void;
}

/** The name of a kernel: 'matmul', 'unary', 'adam', ... */
export type KernelName = keyof Kernels;

/** What a backend registers: its name and the kernels it implements itself; js runs the others. */
export type Backend = {
  /** The name that setBackend selects it by (and getBackend reports). */
  readonly name: string;
} & Partial<Kernels>;

// ---- tensor memory as the dispatcher sees it, and backends whose memory is on a device ----

/** An opaque reference to memory on a device (a GPU buffer); only its DeviceBackend reads it. */
export type DeviceHandle = object;

/** Whoever holds a cell's device copy: it brings the values to the host (after its queued work). */
export interface CellOwner {
  /** Makes every cell's host copy valid, waiting for the work queued before it. */
  read(cells: readonly Cell[]): Promise<void>;
  /**
   * Frees the cells' device memory once the work queued before has run. A cell whose values were
   * only there is then `released`: any later use throws instead of reading recycled memory.
   */
  release(cells: readonly Cell[]): void;
}

/**
 * A tensor's memory (src/storage.ts makes them): a host array and/or a device handle, which of
 * them holds the current values, and the write version. Views of a tensor share its cell. A cell
 * with neither copy valid and no queued writer holds zeros (nothing has written it yet).
 */
export interface Cell {
  readonly dtype: DType;
  readonly length: number;
  host: Data | null;
  hostValid: boolean;
  device: DeviceHandle | null;
  deviceValid: boolean;
  /** The device backend holding `device`, or null. */
  owner: CellOwner | null;
  /** Steps queued on a device stream that will write this cell (its host copy is not yet current). */
  busy: number;
  /** Bumped by every in-place write (kernels' `updates`, markChanged); see MatmulArgs.bVersion. */
  version: number;
  /** Its values were on the device only and that memory was freed (CellOwner.release): it must not be used. */
  released: boolean;
}

type Swap<T, X> = T extends Data ? X : T extends MatmulArgs ? Omit<MatmulArgs, 'bias'> & { bias?: X } : T;
type SwapArgs<A extends unknown[], X> = { [I in keyof A]: Swap<A[I], X> };

/** The kernels with every array argument (and matmul's bias) replaced by X: cells for ops, handles for devices. */
export type KernelsOver<X> = { [K in KernelName]: (...args: SwapArgs<Parameters<Kernels[K]>, X>) => ReturnType<Kernels[K]> };

/** What ops call: the kernels over cells (backend/index.ts dispatches them), and the backend's name. */
export type CellKernels = KernelsOver<Cell> & { readonly name: string };

/**
 * Which arguments of a kernel (positions) are cells it only reads, cells it writes whole, and
 * cells it reads and writes in place (or writes in part, as matmul's output for one matrix of a
 * batch); `bias` is the position of an options object whose `bias` field is a cell it reads.
 */
export interface KernelIO {
  readonly reads: readonly number[];
  readonly writes: readonly number[];
  readonly updates: readonly number[];
  readonly bias?: number;
}

/** The cells of every kernel (a missing kernel does not compile). */
export const KERNEL_IO: { readonly [K in KernelName]: KernelIO } = {
  unary: { reads: [1], writes: [2], updates: [] },
  binary: { reads: [1, 3], writes: [5], updates: [] },
  reduce: { reads: [1], writes: [4], updates: [] },
  matmul: { reads: [0, 1], writes: [], updates: [2], bias: 3 },
  logSoftmax: { reads: [0], writes: [1], updates: [] },
  permute: { reads: [0], writes: [3], updates: [] },
  pick: { reads: [0], writes: [4], updates: [] },
  unpick: { reads: [0], writes: [4], updates: [] },
  gatherRows: { reads: [0], writes: [3], updates: [] },
  scatterAddRows: { reads: [0], writes: [], updates: [4] },
  where: { reads: [1, 2], writes: [3], updates: [] },
  im2col: { reads: [0], writes: [3], updates: [] },
  col2im: { reads: [0], writes: [], updates: [2] },
  place: { reads: [0], writes: [], updates: [2] },
  axpy: { reads: [1], writes: [], updates: [0] },
  scale: { reads: [], writes: [], updates: [0] },
  normAccumulate: { reads: [0], writes: [], updates: [] },
  sgd: { reads: [1], writes: [], updates: [0, 2] },
  adam: { reads: [1], writes: [], updates: [0, 2, 3, 4] },
  rmsprop: { reads: [1], writes: [], updates: [0, 2, 3, 4] },
};

/**
 * A backend whose tensors live in device memory (WebGPU): it allocates, uploads and downloads
 * memory and runs kernels over its handles. Only reads are asynchronous; the dispatcher
 * (backend/index.ts) runs what it lacks on js as host steps, in order (docs/webgpu.md).
 */
export interface DeviceBackend {
  /** The name setBackend selects it by. */
  readonly name: string;
  /** Marks a device backend (registerBackend tells the two kinds apart by it). */
  readonly kind: 'device';
  /** Memory for `length` values of dtype, zero-filled. */
  alloc(dtype: DType, length: number): DeviceHandle;
  /** Copies host values into a handle's memory (ordered after the kernels called before it). */
  upload(handle: DeviceHandle, data: Data): void;
  /** Copies many handles' values into host arrays, after every kernel called before: one round trip. */
  download(handles: readonly DeviceHandle[], into: readonly Data[]): Promise<void>;
  /** Frees a handle's memory (never used again). */
  release(handle: DeviceHandle): void;
  /** Its kernels over handles (in place where the contract's are). */
  readonly kernels: Partial<KernelsOver<DeviceHandle>>;
  /** Whether its kernel runs these arguments (handles in place of arrays) in this dtype. */
  supports(kernel: KernelName, dtype: DType, args: readonly unknown[]): boolean;
  /** The device it runs on, as its adapter describes itself. */
  readonly description?: string;
  /** Its memory and traffic so far (backendInfo().memory). */
  memory?(): DeviceMemory;
}

/** A device backend's memory and traffic since it opened. */
export interface DeviceMemory {
  /** Bytes of device memory held by tensors now. */
  liveBytes: number;
  /** The most bytes held at once. */
  highWaterBytes: number;
  /** Device buffers ever created (the rest were recycled from its pool). */
  buffersCreated: number;
  /** Kernel dispatches recorded. */
  dispatches: number;
  /** Host-to-device copies. */
  uploads: number;
  /** Device-to-host reads (each may bring many tensors). */
  downloads: number;
}
