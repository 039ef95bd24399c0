// The classification losses: cross-entropy on logits (a composite) and binary cross-entropy on
// probabilities.
//
// Elementwise binary cross-entropy, an op of its own because PyTorch's backward is not the
// derivative of the clamped composite: at p ∈ {0, 1} the composite's gradient is 0/0.
//
// ℓ = −(y·max(ln p, −100) + (1−y)·max(ln(1−p), −100)), p, y, ℓ all of one shape
// dℓ/dp = (p − y) / max(p(1−p), ε), ε = 10⁻¹² rounded to float32 as PyTorch stores it
//        (PyTorch's rule, finite everywhere: −1/ε = −1.0000000004·10¹² at p = 0, y = 1)
// dℓ/dy = ln(1−p) − ln p

import { allocData } from '../../cells.js';
import { Tensor } from '../../tensor.js';
import { noGrad } from '../../autograd/mode.js';
import { shapeStr, sameShape, sizeOf } from '../../shape.js';
import { toLabels, type Labels } from '../labels.js';
import { pick } from './pick.js';
import { checkSameDtype, checkTensor } from '../node.js';
import { defineOp, type Fn } from '../op.js';

/** PyTorch's EPSILON of binary_cross_entropy_backward, a float32 constant. */
const EPSILON = Math.fround(1e-12);

/**
 * Binary cross-entropy of probabilities p against targets y of the same shape, elementwise and
 * unreduced: −(y·ln p + (1−y)·ln(1−p)), each log clamped at −100, with PyTorch's finite gradient
 * at p ∈ {0, 1} (torch.nn.functional.binary_cross_entropy with reduction 'none'). nn.bce and
 * nn.BCELoss reduce it; on logits, nn.bceWithLogits is the stable choice.
 * @function
 */
export const binaryCrossEntropy: Fn<(p: Tensor, y: Tensor) => Tensor> = defineOp({
  name: 'binaryCrossEntropy',
  method: false,
  forward(p: Tensor, y: Tensor) {
    checkTensor('binaryCrossEntropy', p, 'probabilities');
    checkTensor('binaryCrossEntropy', y, 'target');
    checkSameDtype('binaryCrossEntropy', p, y);
    if (!sameShape(p.shape, y.shape)) {
      throw new Error(
        `binaryCrossEntropy: probabilities ${shapeStr(p.shape)} and target ${shapeStr(y.shape)} differ in shape`,
      );
    }
    const value = noGrad(() => {
      const logP = p.log().clamp(-100, Infinity);
      const log1mP = p.neg().add(1).log().clamp(-100, Infinity);
      return y.mul(logP).add(y.neg().add(1).mul(log1mP)).neg();
    });
    return { data: value.cell, shape: p.shape, inputs: [p, y], saved: { p, y } };
  },
  backward: (gy, { p, y }, _out, needs) => [
    needs[0] ? gy.mul(p.sub(y)).div(p.mul(p.neg().add(1)).clamp(EPSILON, Infinity)) : null,
    needs[1] ? gy.mul(p.neg().add(1).log().sub(p.log())) : null,
  ],
  torch: "F.binary_cross_entropy(x[0], x[1], reduction='none')",
  samples: [
    {
      inputs: [
        { shape: [3, 4], unit: true },
        { shape: [3, 4], unit: true },
      ],
    },
    {
      inputs: [
        { shape: [1, 5], unit: true },
        { shape: [1, 5], values: [0, 1, 1, 0, 0.5] },
      ],
    },
    // At p ∈ {0, 1}, where the log is clamped: PyTorch's finite gradient, not NaN (the target's
    // gradient, ln(1−p) − ln p, is infinite there: the target is a constant).
    {
      inputs: [
        { shape: [4], values: [0, 1, 0.5, 0.3] },
        { shape: [4], values: [1, 1, 0, 0.6], constant: true },
      ],
      gradcheck: false,
    },
  ],
  errors: [
    {
      inputs: [
        { shape: [3], unit: true },
        { shape: [4], unit: true },
      ],
      message: 'binaryCrossEntropy: probabilities [3] and target [4] differ in shape',
    },
  ],
});

/**
 * How a loss reduces its per-element (or per-row) values, as PyTorch's `reduction`: 'mean' (the
 * default), 'sum', or 'none' (the values themselves).
 */
export type Reduction = 'mean' | 'sum' | 'none';

/** Options of crossEntropy (and nn.CrossEntropyLoss), PyTorch's arguments in camelCase. */
export interface CrossEntropyOptions {
  /** 'mean' (the default: over the rows not ignored), 'sum', or 'none' (one loss per row: the logits' shape without the class axis). */
  reduction?: Reduction;
  /** Rows with this label add nothing and are not counted in the mean (torch's ignore_index, default −100). */
  ignoreIndex?: number;
  /** ε in [0, 1]: the target is (1−ε)·onehot + ε/C (torch's label_smoothing). */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of logits [..., C] (classes on the last axis) against integer labels, one per row
 * ([N] for [N, C] logits, [N, T] for a GPT's [N, T, C]), through the stable log-softmax: as
 * torch.nn.functional.cross_entropy, with its ignoreIndex and labelSmoothing. torch takes the
 * classes on axis 1 ([N, C, T]); here they are last, so sequence logits need no reshape. With
 * 'mean', rows whose label is ignoreIndex are not counted.
 *
 * @example
 * ```ts
 * const loss = crossEntropy(model.forward(x), labels);   // logits [N, C], labels [N]: a scalar
 * const perRow = crossEntropy(logits, labels, { reduction: 'none' });   // [N]
 * ```
 * @function
 */
// Cross-entropy of logits [..., C] (classes on the last axis, so a GPT's [N, T, C] logits take
// [N, T] labels as they are; torch takes [N, C, T] and wants [N·T, C] reshaped here) against
// integer labels, through the fused stable log-softmax. With ε the label smoothing, per row r:
//   ℓ_r = −(1−ε)·log p_r[label_r] − (ε/C)·Σ_c log p_r[c],  p_r = softmax(x_r)
//   → dℓ_r/dx_r = p_r − (1−ε)·onehot(label_r) − ε/C
// Ignored rows give 0; 'mean' divides by the rows not ignored.
export const crossEntropy: Fn<(logits: Tensor, labels: Labels, options?: CrossEntropyOptions) => Tensor> = defineOp({
  name: 'crossEntropy',
  method: false,
  composite(logits: Tensor, labels: Labels, options: CrossEntropyOptions = {}) {
    checkTensor('crossEntropy', logits, 'logits');
    if (logits.rank < 2)
      throw new Error(
        `crossEntropy: logits must be [batch, classes] or [..., classes], got shape ${shapeStr(logits.shape)}`,
      );
    const { reduction = 'mean', ignoreIndex = -100, labelSmoothing = 0 } = options;
    if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
      throw new Error(`crossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`);
    if (!Number.isSafeInteger(ignoreIndex))
      throw new Error(`crossEntropy: ignoreIndex must be an integer, got ${ignoreIndex}`);
    const classes = logits.shape[logits.rank - 1];
    const rowShape = logits.shape.slice(0, -1);
    const rows = sizeOf(rowShape);
    if (labels instanceof Tensor && labels.rank > 1 && !sameShape(labels.shape, rowShape)) {
      throw new Error(
        `crossEntropy: labels ${shapeStr(labels.shape)} do not match logits ${shapeStr(logits.shape)} (expected labels ${shapeStr(rowShape)})`,
      );
    }
    const raw: ArrayLike<number> = labels instanceof Tensor ? labels.data : labels;
    if (raw === null || typeof raw !== 'object' || typeof raw.length !== 'number')
      throw new Error('crossEntropy: labels must be a Tensor, an array or an Int32Array');
    // Ignored rows pick class 0 and are then weighted 0.
    const kept = allocData(logits.dtype, raw.length);
    let count = 0;
    const chosen = Array.from(raw, (v, i) => {
      if (v === ignoreIndex) return 0;
      kept[i] = 1;
      count++;
      return v;
    });
    const idx = toLabels('crossEntropy', chosen, rows, classes);
    const logP = logits.logSoftmax(-1);
    let perRow = pick(logP, idx).neg();
    if (labelSmoothing > 0) perRow = perRow.mul(1 - labelSmoothing).sub(logP.mean(-1).mul(labelSmoothing));
    const anyIgnored = count < rows;
    if (anyIgnored) perRow = perRow.mul(new Tensor(kept, rowShape, logits.dtype));
    switch (reduction) {
      case 'mean':
        return anyIgnored ? perRow.sum().div(count) : perRow.mean();
      case 'sum':
        return perRow.sum();
      case 'none':
        return perRow;
      default:
        throw new Error(`crossEntropy: unknown reduction '${reduction as string}' (use 'mean', 'sum' or 'none')`);
    }
  },
  call: (x, a) =>
    crossEntropy(x[0], a.labels, {
      reduction: a.reduction,
      ignoreIndex: a.ignoreIndex,
      labelSmoothing: a.labelSmoothing,
    }),
  torch:
    "F.cross_entropy(x[0].reshape(-1, x[0].shape[-1]), torch.tensor(a['labels']).reshape(-1), reduction=a.get('reduction', 'mean'), " +
    "ignore_index=a.get('ignoreIndex', -100), label_smoothing=a.get('labelSmoothing', 0.0))" +
    ".reshape(x[0].shape[:-1] if a.get('reduction') == 'none' else ())",
  samples: [
    { inputs: [{ shape: [4, 3] }], args: { labels: [0, 2, 1, 2] } },
    { inputs: [{ shape: [4, 3] }], args: { labels: [0, 2, 1, 2], reduction: 'sum' } },
    { inputs: [{ shape: [4, 3] }], args: { labels: [0, 2, 1, 2], reduction: 'none' } },
    { inputs: [{ shape: [2, 3, 5] }], args: { labels: [4, 0, 1, 3, 2, 2] } },
    { inputs: [{ shape: [2, 3, 5] }], args: { labels: [4, -100, 1, -100, 2, 2] } },
    { inputs: [{ shape: [2, 3, 5] }], args: { labels: [4, 7, 1, 3, 7, 2], ignoreIndex: 7, reduction: 'none' } },
    { inputs: [{ shape: [5, 4] }], args: { labels: [0, 1, 2, 3, 3], labelSmoothing: 0.1 } },
    { inputs: [{ shape: [2, 3, 4] }], args: { labels: [0, -1, 2, 3, -1, 1], ignoreIndex: -1, labelSmoothing: 0.2 } },
    { inputs: [{ shape: [3, 4] }], args: { labels: [0, 1, 2], labelSmoothing: 0.3, reduction: 'sum' } },
  ],
  errors: [
    {
      inputs: [{ shape: [2, 3] }],
      args: { labels: [0, 3] },
      message: 'crossEntropy: label 3 at index 1 is not a class index in [0, 2]',
    },
    { inputs: [{ shape: [2, 3] }], args: { labels: [0] }, message: 'crossEntropy: got 1 labels for 2 rows' },
    {
      inputs: [{ shape: [3] }],
      args: { labels: [0] },
      message: 'crossEntropy: logits must be [batch, classes] or [..., classes], got shape [3]',
    },
    {
      inputs: [{ shape: [2, 3] }],
      args: { labels: [0, 1], labelSmoothing: 1.5 },
      message: 'crossEntropy: labelSmoothing must be in [0, 1], got 1.5',
    },
  ],
});
