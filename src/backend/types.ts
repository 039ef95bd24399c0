// The values kernels work on: element types, typed arrays, the option objects of the kernels that
// take one, and cells (a tensor's memory as the dispatcher sees it). No kernel names here: those
// are in table.ts.

/** A tensor's element type: 'float32' (the default) or 'float64'. */
export type DType = 'float32' | 'float64';

/** The largest finite float32 (FLT_MAX). */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** A tensor's memory: a Float32Array or a Float64Array, row-major. */
export type Data = Float32Array | Float64Array;

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

/** Hyper-parameters of one Adam/AdamW step, with this step's bias corrections. */
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
  /** The bias-corrected step size η / (1 − β₁ᵗ), t the parameter's update count from 1. */
  stepSize: number;
  /** The second bias correction √(1 − β₂ᵗ). */
  bias2Sqrt: number;
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

/** A geometry's 14 integers in PatchGeometry's order: what the C kernels (GEO_*) and the WGSL kernels read. */
export function geometryValues(g: PatchGeometry): number[] {
  return [
    g.batch,
    g.channels,
    g.height,
    g.width,
    g.kernelH,
    g.kernelW,
    g.strideH,
    g.strideW,
    g.padTop,
    g.padLeft,
    g.dilationH,
    g.dilationW,
    g.outH,
    g.outW,
  ];
}

/** The sizes of the batchNorm kernels: x is [batch, channels, plane] (plane: the spatial axes' product, 1 for [N, C]). */
export interface BatchNormArgs {
  /** N: x's axis 0. */
  batch: number;
  /** C: x's axis 1, the channels normalised each on its own. */
  channels: number;
  /** The values of one channel in one sample. */
  plane: number;
  /** Added to the variance. */
  eps: number;
}

/** The sizes of the layerNorm kernels: x is [rows, cols], each row normalised on its own. */
export interface LayerNormArgs {
  /** The rows (the product of the leading axes). */
  rows: number;
  /** The values of a row (the product of the normalised axes). */
  cols: number;
  /** Added to the variance. */
  eps: number;
}

/** The options of the conv2d kernels (backend/table.ts): the geometry is x's (PatchGeometry). */
export interface ConvArgs {
  /** x's sizes [N, C, H, W] and the window (kernel, stride, padding, dilation, output size). */
  geometry: PatchGeometry;
  /** O: the output channels (the weight's axis 0). */
  outChannels: number;
  /** Input and output channels split into this many blocks, each convolved on its own. */
  groups: number;
  /** conv2d: O values added to every output channel's plane. */
  bias?: Data;
  /** conv2d: relu of each output, after the bias. */
  relu?: boolean;
  /** conv2d: the weight's write version, as MatmulArgs.bVersion (what the backend derived from it may be reused). */
  weightVersion?: number;
}

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
 * A tensor's memory (src/cells.ts makes them): a host array and/or a device handle, which of
 * them holds the current values, and the write version. Views of a tensor share its cell. A cell
 * with neither copy valid and no queued writer holds zeros (nothing has written it yet).
 */
export class Cell {
  host: Data | null;
  hostValid: boolean;
  device: DeviceHandle | null = null;
  deviceValid = false;
  /** The device backend holding `device`, or null. */
  owner: CellOwner | null = null;
  /** Steps queued on a device stream that will write this cell (its host copy is not yet current). */
  busy = 0;
  /** Bumped by every in-place write (kernels' `updates`, markChanged); see MatmulArgs.bVersion. */
  version = 0;
  /** Its values were on the device only and that memory was freed (CellOwner.release): it must not be used. */
  released = false;
  /** Its version keys cached work (cells.ts cacheVersion). */
  watched = false;

  constructor(
    readonly dtype: DType,
    readonly length: number,
    host: Data | null,
  ) {
    this.host = host;
    this.hostValid = host !== null;
  }
}
