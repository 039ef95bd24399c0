// pick: one entry per row chosen by an integer label, what the classification losses need
// (the label's log-probability). unpick scatters back; each is the other's adjoint.
//
// y[r] = x[r, label_r], x:[..., C] y:[...] → dx = unpick(dy): dy[r] at (r, label_r), 0 elsewhere.

import { allocCell } from '../../cells.js';
import type { Tensor } from '../../tensor.js';
import { kernels } from '../../backend/index.js';
import { sizeOf } from '../../shape.js';
import { checkTensor } from '../node.js';
import { toLabels, type Labels } from '../labels.js';
import { defineOp, type Fn, type Method } from '../op.js';

/**
 * One entry per row chosen by an integer label: y[r] = x[r, label_r] for x [..., C] and one label
 * per row (a Tensor, an array or an Int32Array of class indices in [0, C)) → y [...], as torch's
 * x.gather(-1, labels[..., None]).squeeze(-1). What the classification losses use to read the
 * label's log-probability. Also `x.pick(labels)`.
 *
 * @example
 * ```ts
 * pick(tensor([[0.1, 0.9], [0.8, 0.2]]), [1, 0]).toArray();   // [0.9, 0.8]
 * const nll = logits.logSoftmax().pick(labels).neg();         // [N]
 * ```
 * @function
 */
export const pick: Method<(x: Tensor, labels: Labels) => Tensor> = defineOp({
  name: 'pick',
  method: true,
  forward(x: Tensor, labels: Labels) {
    checkTensor('pick', x);
    if (x.rank < 1) throw new Error('pick: input must have at least one axis (the classes)');
    const classes = x.shape[x.rank - 1];
    const shape = x.shape.slice(0, -1);
    const rows = sizeOf(shape);
    const idx = toLabels('pick', labels, rows, classes);
    const data = allocCell(x.dtype, rows);
    kernels().pick(x.cell, idx, rows, classes, data);
    return { data, shape, inputs: [x], saved: { idx, classes } };
  },
  backward: (gy, { idx, classes }) => [unpick(gy, idx, classes)],
  call: (x, a) => pick(x[0], a.labels),
  torch: "x[0].gather(-1, torch.tensor(a['labels']).reshape(*x[0].shape[:-1], 1)).squeeze(-1)",
  samples: [
    { inputs: [{ shape: [4, 3] }], args: { labels: [0, 2, 1, 2] } },
    { inputs: [{ shape: [2, 3, 5] }], args: { labels: [4, 0, 1, 3, 2, 2] } },
    { inputs: [{ shape: [1, 3] }], args: { labels: [1] } },
  ],
  errors: [
    {
      inputs: [{ shape: [2, 3] }],
      args: { labels: [0, 3] },
      message: 'pick: label 3 at index 1 is not a class index in [0, 2]',
    },
    { inputs: [{ shape: [2, 3] }], args: { labels: [0] }, message: 'pick: got 1 labels for 2 rows' },
  ],
});

/**
 * pick's adjoint: zeros of shape [...g.shape, classes] with g[r] at (r, label_r), as torch's
 * zeros(..., C).scatter(-1, labels[..., None], g[..., None]).
 * @function
 */
// y = zeros[..., C] with y[r, label_r] = g[r] → dg = pick(dy, labels).
export const unpick: Fn<(g: Tensor, labels: Labels, classes: number) => Tensor> = defineOp({
  name: 'unpick',
  method: false,
  forward(g: Tensor, labels: Labels, classes: number) {
    checkTensor('unpick', g);
    if (!Number.isInteger(classes) || classes <= 0)
      throw new Error(`unpick: classes must be a positive integer, got ${classes}`);
    const rows = g.size;
    const idx = toLabels('unpick', labels, rows, classes);
    const data = allocCell(g.dtype, rows * classes);
    kernels().unpick(g.cell, idx, rows, classes, data);
    return { data, shape: [...g.shape, classes], inputs: [g], saved: idx };
  },
  backward: (gy, idx) => [pick(gy, idx)],
  call: (x, a) => unpick(x[0], a.labels, a.classes),
  torch:
    "torch.zeros(*x[0].shape, a['classes'], dtype=torch.float64).scatter(-1, torch.tensor(a['labels']).reshape(*x[0].shape, 1), x[0].unsqueeze(-1))",
  samples: [
    { inputs: [{ shape: [4] }], args: { labels: [0, 2, 1, 2], classes: 3 } },
    { inputs: [{ shape: [2, 3] }], args: { labels: [4, 0, 1, 3, 2, 2], classes: 5 } },
  ],
  errors: [
    {
      inputs: [{ shape: [2] }],
      args: { labels: [0, 1], classes: 0 },
      message: 'unpick: classes must be a positive integer, got 0',
    },
  ],
});
