// Batch normalisation (torch.nn.functional.batch_norm) over x [N,C], [N,C,L] or [N,C,H,W]: each
// channel c normalised by its statistics over the batch and the spatial axes (m values each),
//   y = (x − μ_c) / √(σ²_c + ε) · γ_c + β_c
// with (μ, σ²) the batch's mean and biased variance in training, the running estimates in eval.
// Its backward is the closed form (below) rather than the autograd of the ops it is made of:
// about half the passes over x.
// Training also updates the running estimates in place, as PyTorch does (no gradient):
//   running ← (1 − momentum) · running + momentum · batch statistic, with the unbiased σ² · m/(m−1).

import { ones, Tensor, zeros } from '../../tensor.js';
import { allocCell, type Cell } from '../../cells.js';
import { kernels } from '../../backend/index.js';
import type { BatchNormArgs } from '../../backend/contract.js';
import { isGradEnabled, noGrad } from '../../autograd/mode.js';
import { shapeStr } from '../../shape.js';
import { checkSameDtype, checkTensor } from '../node.js';
import { defineOp, type Fn } from '../op.js';
import { cat } from './cat.js';

/** Options of batchNorm (torch.nn.functional.batch_norm's, in camelCase). */
export interface BatchNormOptions {
  /** Batch statistics (and a running-statistics update) when true; the running statistics when false (default). */
  training?: boolean;
  /** Weight of the batch statistic in each running-statistics update, in [0, 1] (default 0.1). */
  momentum?: number;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

function checkChannelVector(name: string, t: Tensor | null, x: Tensor): void {
  if (t === null) return;
  checkTensor('batchNorm', t, name);
  checkSameDtype('batchNorm', x, t);
  if (t.rank !== 1 || t.shape[0] !== x.shape[1]) {
    throw new Error(
      `batchNorm: ${name} ${shapeStr(t.shape)} must be [${x.shape[1]}], one value per channel of the input ${shapeStr(x.shape)}`,
    );
  }
}

/**
 * running ← (1 − momentum)·running + momentum·stat·scale, in place (stat is [1,C,1,...], C values
 * as running); no gradient. Two in-place kernels (scale, then axpy), so that on a device backend
 * the statistics never leave it.
 */
function updateRunning(running: Tensor, stat: Cell, momentum: number, scale: number): void {
  const k = kernels();
  k.scale(running.cell, 1 - momentum);
  k.axpy(running.cell, stat, momentum * scale);
}

/** What backward needs: the fused pass's input and statistics, or x̂ and 1/√(σ²+ε) as ops. */
interface Saved {
  stats: { x: Tensor; mean: Cell; variance: Cell; sizes: BatchNormArgs } | null;
  xhat: Tensor | null;
  invStd: Tensor | null;
  weight: Tensor | null;
  bias: Tensor | null;
  training: boolean;
  axes: number[];
  channelShape: number[];
  eps: number;
}

/**
 * The batch statistics of x over `axes` as ops (graph nodes of x, so that a backward written with
 * them is itself differentiable): the mean and biased variance ([1,C,1,...]), 1/√(σ²+ε) and x̂.
 */
function normalise(x: Tensor, axes: number[], eps: number) {
  const mean = x.mean(axes, true);
  const centred = x.sub(mean);
  const variance = centred.mul(centred).mean(axes, true);
  const invStd = variance.add(eps).pow(-0.5);
  return { mean, variance, invStd, xhat: centred.mul(invStd) };
}

/**
 * Batch normalisation (torch.nn.functional.batch_norm) of x [N, C], [N, C, L] or [N, C, H, W],
 * per channel c over the batch and spatial axes: y = (x − μ_c) / √(σ²_c + ε) · weight_c + bias_c.
 * In training, μ and σ² are the batch's mean and biased variance, and the running statistics
 * ([C] each, or null) are updated in place: running ← (1 − momentum)·running + momentum·stat (the
 * variance unbiased). In evaluation (the default, `training: false`) the running statistics are
 * used. weight and bias are [C] or null.
 *
 * @example
 * ```ts
 * const y = batchNorm(x, runningMean, runningVar, gamma, beta, { training: true });   // x [N, C, H, W]
 * ```
 * @function
 */
export const batchNorm: Fn<
  (
    x: Tensor,
    runningMean: Tensor | null,
    runningVar: Tensor | null,
    weight?: Tensor | null,
    bias?: Tensor | null,
    options?: BatchNormOptions,
  ) => Tensor
> = defineOp({
  name: 'batchNorm',
  method: false,
  forward(
    x: Tensor,
    runningMean: Tensor | null,
    runningVar: Tensor | null,
    weight: Tensor | null = null,
    bias: Tensor | null = null,
    options: BatchNormOptions = {},
  ) {
    const { training = false, momentum = 0.1, eps = 1e-5 } = options;
    checkTensor('batchNorm', x);
    if (x.rank < 2) throw new Error(`batchNorm: input must be [N,C,...], got ${shapeStr(x.shape)}`);
    checkChannelVector('running mean', runningMean, x);
    checkChannelVector('running variance', runningVar, x);
    checkChannelVector('weight', weight, x);
    checkChannelVector('bias', bias, x);
    if (!(momentum >= 0 && momentum <= 1) || !(eps > 0 && Number.isFinite(eps))) {
      throw new Error(
        `batchNorm: momentum must be in [0, 1] and eps a positive number, got momentum ${momentum} and eps ${eps}`,
      );
    }
    if ((runningMean === null) !== (runningVar === null))
      throw new Error('batchNorm: give both running statistics or neither');
    const axes = [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2)];
    const channelShape = x.shape.map((d, i) => (i === 1 ? d : 1));
    // x̂ and 1/√(σ²+ε) as ops: graph nodes of x, so that the backward below, written with them,
    // is itself differentiable (second derivatives through the batch statistics).
    let xhat: Tensor;
    let invStd: Tensor;
    const m = x.size / x.shape[1];
    if (training && m <= 1)
      throw new Error(
        `batchNorm: expected more than 1 value per channel when training, got input shape ${shapeStr(x.shape)}`,
      );
    // The backend's fused pass where it has one (native), for the affine training case.
    const fused = training && weight && bias ? kernels().batchNorm : undefined;
    if (fused && weight && bias) {
      const c = x.shape[1];
      const sizes = { batch: x.shape[0], channels: c, plane: m / x.shape[0], eps };
      const [out, mean, variance] = [allocCell(x.dtype, x.size), allocCell(x.dtype, c), allocCell(x.dtype, c)];
      fused(x.cell, weight.cell, bias.cell, out, mean, variance, sizes);
      if (runningMean && runningVar) {
        updateRunning(runningMean, mean, momentum, 1);
        updateRunning(runningVar, variance, momentum, m / (m - 1));
      }
      const stats = { x, mean, variance, sizes };
      const saved: Saved = { stats, xhat: null, invStd: null, weight, bias, training, axes, channelShape, eps };
      return { data: out, shape: x.shape, inputs: [x, weight, bias], saved };
    }
    if (training) {
      const s = normalise(x, axes, eps);
      invStd = s.invStd;
      xhat = s.xhat;
      if (runningMean && runningVar) {
        updateRunning(runningMean, s.mean.cell, momentum, 1);
        updateRunning(runningVar, s.variance.cell, momentum, m / (m - 1));
      }
    } else {
      if (!runningMean || !runningVar)
        throw new Error('batchNorm: evaluation mode (training false) needs the running mean and variance');
      invStd = runningVar.detach().reshape(channelShape).add(eps).pow(-0.5);
      xhat = x.sub(runningMean.detach().reshape(channelShape)).mul(invStd);
    }
    const y = noGrad(() => {
      const scaled = weight ? xhat.mul(weight.reshape(channelShape)) : xhat;
      return bias ? scaled.add(bias.reshape(channelShape)) : scaled;
    });
    const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
    return {
      data: y.cell,
      shape: x.shape,
      inputs,
      saved: { stats: null, xhat, invStd, weight, bias, training, axes, channelShape, eps } as Saved,
    };
  },
  // With g = dL/dx̂ = dy ⊙ γ: in eval, x̂ is affine in x, dx = g/√(σ²+ε); in training the batch
  // statistics move with x too, and dx = (g − mean(g) − x̂ ⊙ mean(g ⊙ x̂)) / √(σ²+ε) (means over
  // the batch and spatial axes of each channel); dγ = Σ dy ⊙ x̂, dβ = Σ dy.
  // The fused pass's gradients come from its backward kernel, unless they must be differentiable
  // themselves (createGraph): then x̂ and 1/√(σ²+ε) are made again as ops and the same formula runs.
  backward(gy, saved, _y, needs) {
    const { stats, weight, bias, training, axes, channelShape, eps } = saved;
    const fusedBackward = stats && weight && !isGradEnabled() ? kernels().batchNormBackward : undefined;
    if (stats && weight && fusedBackward) {
      const { x, mean, variance, sizes } = stats;
      const [gx, gWeight, gBias] = [
        allocCell(x.dtype, x.size),
        allocCell(x.dtype, sizes.channels),
        allocCell(x.dtype, sizes.channels),
      ];
      fusedBackward(x.cell, gy.cell, weight.cell, mean, variance, gx, gWeight, gBias, sizes);
      return [new Tensor(gx, x.shape), new Tensor(gWeight, weight.shape), new Tensor(gBias, weight.shape)];
    }
    const { xhat, invStd } = stats ? normalise(stats.x, axes, eps) : { xhat: saved.xhat!, invStd: saved.invStd! };
    const g = weight ? gy.mul(weight.reshape(channelShape)) : gy;
    const dx = !needs[0]
      ? null
      : training
        ? g
            .sub(g.mean(axes, true))
            .sub(xhat.mul(g.mul(xhat).mean(axes, true)))
            .mul(invStd)
        : g.mul(invStd);
    const grads: (Tensor | null)[] = [dx];
    if (weight) grads.push(needs[grads.length] ? gy.mul(xhat).sum(axes) : null);
    if (bias) grads.push(needs[grads.length] ? gy.sum(axes) : null);
    return grads;
  },
  call: (x, a) => {
    const running = a.running ?? true;
    const rest = x.slice(running ? 3 : 1);
    const [rm, rv] = running ? [x[1], x[2]] : [null, null];
    const [w, b] = (a.affine ?? true) ? [rest[0], rest[1]] : [null, null];
    if (!a.steps) return batchNorm(x[0], rm, rv, w, b, a);
    // The running statistics after `steps` training steps on x·1, x·2, ...: they join the output.
    const [c, dtype] = [x[0].shape[1], x[0].dtype];
    const [mean, variance] = [zeros([c], { dtype }), ones([c], { dtype })];
    let y = x[0];
    for (let i = 0; i < a.steps; i++) y = batchNorm(x[0].mul(i + 1), mean, variance, x[1], x[2], { training: true });
    return cat([y.reshape([-1]), mean, variance]);
  },
  torch:
    "(lambda r: torch.cat([[F.batch_norm(x[0] * (i + 1), r[0], r[1], x[1], x[2], True) for i in range(a['steps'])][-1].reshape(-1), r[0], r[1]]))(" +
    "[torch.zeros(x[0].shape[1], dtype=x[0].dtype), torch.ones(x[0].shape[1], dtype=x[0].dtype)]) if a.get('steps') else " +
    "(lambda r, w: F.batch_norm(x[0], r[0], r[1], w[0], w[1], a.get('training', False), a.get('momentum', 0.1), a.get('eps', 1e-5)))(" +
    "x[1:3] if a.get('running', True) else [None, None], (x[3:5] if a.get('running', True) else x[1:3]) if a.get('affine', True) else [None, None])",
  samples: [
    {
      inputs: [
        { shape: [4, 3, 5, 5] },
        { shape: [3], constant: true },
        { shape: [3], positive: true, constant: true },
        { shape: [3] },
        { shape: [3] },
      ],
    },
    {
      inputs: [
        { shape: [4, 3, 5, 5] },
        { shape: [3], constant: true },
        { shape: [3], positive: true, constant: true },
        { shape: [3] },
        { shape: [3] },
      ],
      args: { training: true },
    },
    { inputs: [{ shape: [6, 4] }], args: { training: true, running: false, affine: false } },
    {
      inputs: [
        { shape: [6, 4] },
        { shape: [4], constant: true },
        { shape: [4], positive: true, constant: true },
        { shape: [4] },
        { shape: [4] },
      ],
      args: { training: true, momentum: 0.3, eps: 1e-3 },
    },
    {
      inputs: [{ shape: [5, 3, 7] }, { shape: [3], constant: true }, { shape: [3], positive: true, constant: true }],
      args: { training: true, affine: false },
    },
    // One pixel per image: the statistics of 3 values per channel.
    {
      inputs: [
        { shape: [3, 3, 1, 1] },
        { shape: [3], constant: true },
        { shape: [3], positive: true, constant: true },
        { shape: [3] },
        { shape: [3] },
      ],
      args: { training: true },
    },
    // The running statistics after 3 steps (x·1, x·2, x·3) join the output; like PyTorch, they carry
    // no gradient, so finite differences (which see them move) do not apply.
    {
      inputs: [{ shape: [4, 2, 3, 3] }, { shape: [2] }, { shape: [2] }],
      args: { steps: 3, running: false },
      gradcheck: false,
    },
  ],
  secondOrder: true,
  errors: [
    {
      inputs: [{ shape: [1, 4] }, { shape: [4] }, { shape: [4], positive: true }],
      args: { training: true, affine: false },
      message: 'batchNorm: expected more than 1 value per channel when training, got input shape [1,4]',
    },
    {
      inputs: [{ shape: [2, 3, 4, 4] }, { shape: [4] }, { shape: [4], positive: true }],
      args: { affine: false },
      message: 'batchNorm: running mean [4] must be [3], one value per channel of the input [2,3,4,4]',
    },
    {
      inputs: [{ shape: [2, 3] }],
      args: { running: false, affine: false },
      message: 'batchNorm: evaluation mode (training false) needs the running mean and variance',
    },
  ],
});
