// Row gathers by integer index: embedding (a lookup table's rows) and index (x[indices] along the
// first axis), and scatterRows, their adjoint. Each is the other's backward.
//
// y[p, :] = W[i_p, :], W:[V, D], indices i of any shape I, y:[...I, D]
//   → dW = scatterRows(dy): dW[v, :] = Σ_{p: i_p = v} dy[p, :]  [V, D]
//     (rows at paddingIdx get no gradient, as torch's padding_idx); indices get none.

import { allocCell, allocData } from '../../cells.js';
import { Tensor } from '../../tensor.js';
import { kernels } from '../../backend/index.js';
import { shapeStr } from '../../shape.js';
import { checkTensor } from '../node.js';
import { toIndices, type Indices } from '../labels.js';
import { defineOp, type Fn, type Method } from '../op.js';

/** Options of embedding (and nn.Embedding). */
export interface EmbeddingOptions {
  /** A row whose gradient stays 0 (torch's padding_idx); negative counts from the end. */
  paddingIdx?: number | null;
}

/** paddingIdx as a row index in [0, rows), or −1 for none. */
function paddingRow(op: string, paddingIdx: number | null | undefined, rows: number): number {
  if (paddingIdx === undefined || paddingIdx === null) return -1;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -rows || paddingIdx >= rows) {
    throw new Error(`${op}: paddingIdx ${paddingIdx} is out of range for numEmbeddings ${rows}`);
  }
  return paddingIdx < 0 ? paddingIdx + rows : paddingIdx;
}

/**
 * Rows of a lookup table: y[p, :] = weight[indices[p], :] for weight [V, D] and integer indices of
 * any shape I (a Tensor, nested arrays or an Int32Array, each in [0, V)) → y [...I, D], as
 * torch.nn.functional.embedding. The indices get no gradient; the weight's is summed per row
 * (scatterRows), and the row `paddingIdx` gets none.
 *
 * @example
 * ```ts
 * const table = randn([10, 4]);                   // V = 10 rows of D = 4
 * const rows = embedding([[1, 2], [3, 1]], table); // [2, 2] indices → [2, 2, 4]
 * ```
 * @function
 */
export const embedding: Fn<(indices: Indices, weight: Tensor, options?: EmbeddingOptions) => Tensor> = defineOp({
  name: 'embedding',
  method: false,
  forward(indices: Indices, weight: Tensor, options: EmbeddingOptions = {}) {
    checkTensor('embedding', weight, 'weight');
    if (weight.rank !== 2)
      throw new Error(`embedding: weight must be [numEmbeddings, embeddingDim], got ${shapeStr(weight.shape)}`);
    const [rows, cols] = weight.shape;
    const skip = paddingRow('embedding', options.paddingIdx, rows);
    const { idx, shape } = toIndices('embedding', indices, rows, 'numEmbeddings');
    const data = allocCell(weight.dtype, idx.length * cols);
    kernels().gatherRows(weight.cell, idx, cols, data);
    return { data, shape: [...shape, cols], inputs: [weight], saved: { idx, rows, skip } };
  },
  backward: (gy, { idx, rows, skip }) => [scatterRows(gy, idx, rows, skip)],
  call: (x, a) => embedding(a.indices, x[0], { paddingIdx: a.paddingIdx }),
  torch: "F.embedding(torch.tensor(a['indices']), x[0], padding_idx=a.get('paddingIdx'))",
  samples: [
    { inputs: [{ shape: [5, 3] }], args: { indices: [0, 4, 2, 4] } },
    {
      inputs: [{ shape: [6, 4] }],
      args: {
        indices: [
          [1, 0, 5],
          [5, 5, 2],
        ],
      },
    },
    // No finite differences: the padding row's gradient is 0 by definition, not by calculus.
    {
      inputs: [{ shape: [4, 2] }],
      args: {
        indices: [
          [0, 3],
          [3, 1],
        ],
        paddingIdx: 3,
      },
      gradcheck: false,
    },
    { inputs: [{ shape: [3, 5] }], args: { indices: [2] } },
  ],
  errors: [
    {
      inputs: [{ shape: [5, 3] }],
      args: { indices: [0, 5] },
      message: 'embedding: index 5 at position 1 is out of range for numEmbeddings 5 (valid: 0 to 4)',
    },
    {
      inputs: [{ shape: [5, 3] }],
      args: { indices: [0, 1.5] },
      message: 'embedding: index 1.5 at position 1 is out of range',
    },
    {
      inputs: [{ shape: [5, 3] }],
      args: { indices: [0], paddingIdx: 5 },
      message: 'embedding: paddingIdx 5 is out of range for numEmbeddings 5',
    },
    {
      inputs: [{ shape: [5] }],
      args: { indices: [0] },
      message: 'embedding: weight must be [numEmbeddings, embeddingDim], got [5]',
    },
  ],
  secondOrder: true,
});

/**
 * embedding's adjoint: zeros [rows, D] with each row g[p, :] of g [...I, D] added to row
 * indices[p], skipping indices equal to `skip` (default −1: none), as torch's
 * zeros(rows, D).index_add(0, indices, g).
 * @function
 */
// y = zeros[rows, D] with y[i_p, :] += g[p, :] (except where i_p = skip), g:[...I, D]
//   → dg = embedding(dy)[p, :] = dy[i_p, :], 0 where i_p = skip.
export const scatterRows: Fn<(g: Tensor, indices: Indices, rows: number, skip?: number) => Tensor> = defineOp({
  name: 'scatterRows',
  method: false,
  forward(g: Tensor, indices: Indices, rows: number, skip = -1) {
    checkTensor('scatterRows', g);
    if (!Number.isSafeInteger(rows) || rows <= 0)
      throw new Error(`scatterRows: rows must be a positive integer, got ${rows}`);
    if (g.rank < 1) throw new Error('scatterRows: input must have at least one axis (the row values)');
    const cols = g.shape[g.rank - 1];
    const { idx } = toIndices('scatterRows', indices, rows, 'rows');
    if (idx.length * cols !== g.size)
      throw new Error(`scatterRows: ${idx.length} indices for an input ${shapeStr(g.shape)} of ${g.size / cols} rows`);
    const data = allocCell(g.dtype, rows * cols);
    kernels().scatterAddRows(g.cell, idx, cols, skip, data);
    return { data, shape: [rows, cols], inputs: [g], saved: { idx, skip, shape: g.shape } };
  },
  backward(gy, { idx, skip, shape }) {
    const rows = embedding(idx, gy).reshape(shape);
    if (skip < 0) return [rows];
    const keep = allocData(gy.dtype, idx.length);
    for (let p = 0; p < idx.length; p++) keep[p] = idx[p] === skip ? 0 : 1;
    return [rows.mul(new Tensor(keep, [...shape.slice(0, -1), 1], gy.dtype))];
  },
  call: (x, a) => scatterRows(x[0], a.indices, a.rows, a.skip),
  torch:
    "torch.zeros(a['rows'], x[0].shape[-1], dtype=torch.float64).index_add(0, torch.tensor(a['indices']).reshape(-1), (x[0] * (torch.tensor(a['indices']) != a.get('skip', -1)).unsqueeze(-1)).reshape(-1, x[0].shape[-1]))",
  samples: [
    { inputs: [{ shape: [4, 3] }], args: { indices: [0, 2, 2, 1], rows: 3 } },
    {
      inputs: [{ shape: [2, 2, 3] }],
      args: {
        indices: [
          [1, 1],
          [0, 3],
        ],
        rows: 4,
        skip: 1,
      },
    },
  ],
  errors: [
    {
      inputs: [{ shape: [4, 3] }],
      args: { indices: [0, 1], rows: 3 },
      message: 'scatterRows: 2 indices for an input [4,3] of 4 rows',
    },
  ],
  secondOrder: true,
});

/**
 * x[indices] along the first axis, as torch's x[idx] with an integer tensor: indices of any shape I
 * (each in [0, x.shape[0])) give [...I, ...x.shape[1:]]; the gradient is summed back per row.
 * Also `x.index(indices)`.
 *
 * @example
 * ```ts
 * const firstAndLast = x.index([0, x.shape[0] - 1]);   // [N, C] → [2, C]
 * ```
 * @function
 */
export const index: Method<(x: Tensor, indices: Indices) => Tensor> = defineOp({
  name: 'index',
  method: true,
  composite(x: Tensor, indices: Indices) {
    checkTensor('index', x);
    if (x.rank < 1) throw new Error('index: input must have at least one axis to index');
    const rest = x.shape.slice(1);
    const { idx, shape } = toIndices('index', indices, x.shape[0], `an axis of size`);
    return embedding(idx, x.reshape([x.shape[0], rest.reduce((p, d) => p * d, 1)])).reshape([...shape, ...rest]);
  },
  call: (x, a) => index(x[0], a.indices),
  torch: "x[0][torch.tensor(a['indices'])]",
  samples: [
    {
      inputs: [{ shape: [5, 2, 3] }],
      args: {
        indices: [
          [4, 0],
          [0, 1],
        ],
      },
    },
    { inputs: [{ shape: [4] }], args: { indices: [3, 3, 0] } },
  ],
  errors: [
    {
      inputs: [{ shape: [4, 2] }],
      args: { indices: [4] },
      message: 'index: index 4 at position 0 is out of range for an axis of size 4',
    },
  ],
});
