// BatchNorm1d ([N,C] or [N,C,L]) and BatchNorm2d ([N,C,H,W]), torch.nn's: the batchNorm op
// (ops/defs/batchnorm.ts has the gradients) with a learnt scale γ (weight) and shift β (bias),
// and running estimates of each channel's mean and variance as buffers: saved and loaded with
// the weights, not trained. train() normalises by the batch and updates the estimates; eval()
// normalises by the estimates. With trackRunningStats false it always uses the batch.
// PyTorch names the buffers running_mean, running_var and num_batches_tracked (an int64).
// ONNX: BatchNormalization in inference form (the running estimates).

import { ones, zeros, type DType, type Tensor } from '../../tensor.js';
import { shapeStr } from '../../shape.js';
import { batchNorm } from '../../ops/index.js';
import { Buffer, Module, Parameter } from '../module.js';
import { checkParameterCount, elementwise, field, type LayerEntry, type ParameterDecl } from './entry.js';

/** Options of nn.BatchNorm1d and nn.BatchNorm2d (PyTorch's arguments in camelCase). */
export interface BatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each batch in the running estimates (default 0.1). */
  momentum?: number;
  /** Learn γ and β (default true). */
  affine?: boolean;
  /** Keep running estimates for eval mode (default true). */
  trackRunningStats?: boolean;
  /** The parameters' and buffers' dtype (default float32). */
  dtype?: DType;
}

const fields = {
  numFeatures: field.positiveInt,
  eps: field.positiveNumber,
  momentum: field.unitInterval,
  affine: field.boolean,
  trackRunningStats: field.boolean,
};
type Spec = { numFeatures: number; affine: boolean; trackRunningStats: boolean };

function tensors(s: Spec): ParameterDecl[] {
  const c = [s.numFeatures];
  return [
    ...(s.affine
      ? ([
          { name: 'weight', shape: c, torch: 'same' },
          { name: 'bias', shape: c, torch: 'same' },
        ] as const)
      : []),
    ...(s.trackRunningStats
      ? ([
          { name: 'runningMean', shape: c, torch: 'same', torchName: 'running_mean' },
          { name: 'runningVar', shape: c, torch: 'same', torchName: 'running_var' },
          { name: 'numBatchesTracked', shape: [], torch: 'same', torchName: 'num_batches_tracked', integer: true },
        ] as const)
      : []),
  ];
}

abstract class BatchNormBase extends Module {
  /** The learnt scale γ, [numFeatures] (starts at 1), or null when not affine. */
  readonly weight: Parameter | null;
  /** The learnt shift β, [numFeatures] (starts at 0), or null when not affine. */
  readonly bias: Parameter | null;
  /** The running mean of each channel (PyTorch's running_mean), or null without trackRunningStats. */
  readonly runningMean: Buffer | null;
  /** The running (unbiased) variance of each channel (running_var), or null without trackRunningStats. */
  readonly runningVar: Buffer | null;
  /** The training batches seen, a scalar (num_batches_tracked), or null without trackRunningStats. */
  readonly numBatchesTracked: Buffer | null;
  /** Added to the variance. */
  readonly eps: number;
  /** Weight of each batch in the running statistics. */
  readonly momentum: number;

  /**
   * The layer for numFeatures channels and inputs of these ranks.
   * @param numFeatures - C, the channels (axis 1 of the input).
   */
  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions,
    private readonly ranks: readonly number[],
  ) {
    super();
    const name = this.constructor.name;
    if (!Number.isSafeInteger(numFeatures) || numFeatures <= 0)
      throw new Error(`${name}: numFeatures must be a positive integer, got ${numFeatures}`);
    checkParameterCount(`${name}(${numFeatures})`, 2 * numFeatures);
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum ?? 0.1;
    if (!(this.eps > 0 && Number.isFinite(this.eps)))
      throw new Error(`${name}: eps must be a positive number, got ${this.eps}`);
    if (!(this.momentum >= 0 && this.momentum <= 1))
      throw new Error(`${name}: momentum must be in [0, 1], got ${this.momentum}`);
    const dtype = options.dtype ?? 'float32';
    const affine = options.affine ?? true;
    const track = options.trackRunningStats ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    this.runningMean = track ? new Buffer(zeros([numFeatures], { dtype })) : null;
    this.runningVar = track ? new Buffer(ones([numFeatures], { dtype })) : null;
    this.numBatchesTracked = track ? new Buffer(zeros([], { dtype })) : null;
  }

  /**
   * Normalises each channel of x (axis 1): by the batch's statistics in training mode (updating the running ones), by the running statistics in evaluation mode.
   */
  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.rank) || x.shape[1] !== this.numFeatures) {
      const layouts = this.ranks.map((r) => (r === 2 ? '[N,C]' : r === 3 ? '[N,C,L]' : '[N,C,H,W]')).join(' or ');
      throw new Error(
        `${this.label()}: expected input ${layouts.replaceAll('C', String(this.numFeatures))}, got ${shapeStr(x.shape)}`,
      );
    }
    let y: Tensor;
    try {
      y = batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, {
        training: this.training || !this.runningMean,
        momentum: this.momentum,
        eps: this.eps,
      });
    } catch (e) {
      throw new Error(`${this.label()}: ${(e as Error).message}`, { cause: e });
    }
    if (this.training && this.numBatchesTracked) {
      this.numBatchesTracked.data[0] += 1;
      this.numBatchesTracked.markChanged();
    }
    return y;
  }

  override label(): string {
    return `${this.constructor.name}(${this.numFeatures})`;
  }
}

function entry<T extends 'BatchNorm1d' | 'BatchNorm2d', M extends BatchNormBase>(
  type: T,
  build: (s: Spec & { eps: number; momentum: number }, dtype: DType) => M,
): LayerEntry<T, typeof fields, M> {
  return {
    type,
    fields,
    describe: (m) => ({
      numFeatures: m.numFeatures,
      eps: m.eps,
      momentum: m.momentum,
      affine: m.weight !== null,
      trackRunningStats: m.runningMean !== null,
    }),
    build,
    parameters: tensors,
    onnx: (g, m, { input }) => {
      if (!m.runningMean || !m.runningVar)
        throw new Error(`exportOnnx: ${m.label()} keeps no running statistics, so it has no inference form`);
      const c = m.numFeatures;
      const scale = m.weight ? g.tensor('weight', m.weight) : g.tensor('weight', ones([c], { dtype: g.dtype }));
      const shift = m.bias ? g.tensor('bias', m.bias) : g.tensor('bias', zeros([c], { dtype: g.dtype }));
      return g.node(
        'BatchNormalization',
        [input, scale, shift, g.tensor('running_mean', m.runningMean), g.tensor('running_var', m.runningVar)],
        {
          epsilon: { float: m.eps },
          momentum: { float: 1 - m.momentum },
        },
      );
    },
    explain: (s, ctx) => ({
      ...elementwise(
        ctx,
        'y = (x − μ_c)/√(σ²_c + ε)·γ_c + β_c (batch statistics in training, running ones in eval)',
        'dL/dx = γ/√(σ²+ε)·(dL/dy − mean(dL/dy) − x̂·mean(dL/dy ⊙ x̂)), per channel',
      ),
      ...(s.affine
        ? { parameters: { count: 2 * s.numFeatures, detail: `γ ${s.numFeatures} + β ${s.numFeatures}` } }
        : {}),
    }),
    summary: (s) => `${type}(${s.numFeatures})`,
  };
}

/**
 * Batch normalisation over x [N, C] or [N, C, L] (torch.nn.BatchNorm1d): each channel normalised
 * by its mean and variance over the batch (and length) in training mode, which also updates the
 * running estimates, and by the running estimates in evaluation mode; then scaled by γ and shifted
 * by β. The running statistics are buffers: saved and loaded, not trained.
 */
export class BatchNorm1d extends BatchNormBase {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer: LayerEntry<'BatchNorm1d', typeof fields, BatchNorm1d> = entry(
    'BatchNorm1d',
    (s, dtype) => new BatchNorm1d(s.numFeatures, { ...s, dtype }),
  );

  /**
   * Batch normalisation of numFeatures channels.
   * @param numFeatures - C, the channels (axis 1 of the input).
   */
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options, [2, 3]);
  }
}

/**
 * Batch normalisation over images x [N, C, H, W] (torch.nn.BatchNorm2d): each channel normalised by
 * its mean and variance over the batch and the plane in training mode (updating the running
 * estimates), by the running estimates in evaluation mode; then scaled by γ and shifted by β.
 *
 * @example
 * ```ts
 * const block = new nn.Sequential(new nn.Conv2d(1, 32, 3, { padding: 1 }), new nn.BatchNorm2d(32), new nn.ReLU());
 * block.eval();   // from now on the running statistics normalise
 * ```
 */
export class BatchNorm2d extends BatchNormBase {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer: LayerEntry<'BatchNorm2d', typeof fields, BatchNorm2d> = entry(
    'BatchNorm2d',
    (s, dtype) => new BatchNorm2d(s.numFeatures, { ...s, dtype }),
  );

  /**
   * Batch normalisation of numFeatures channels.
   * @param numFeatures - C, the channels (axis 1 of the input).
   */
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options, [4]);
  }
}
