// The native reductions, permute, softmax and log-softmax, label and row gathers/scatters, batch
// and layer normalisation (native/src/rows.c).

import {
  REDUCE_CODE,
  type BatchNormArgs,
  type Data,
  type Kernels,
  type LayerNormArgs,
  type ReduceOp,
} from '../contract.js';
import { stridesOf, type Shape } from '../../shape.js';
import type { Addon } from './addon.js';
import { Meta } from './meta.js';

type RowKernels =
  | 'reduce'
  | 'logSoftmax'
  | 'permute'
  | 'pick'
  | 'unpick'
  | 'gatherRows'
  | 'scatterAddRows'
  | 'batchNorm'
  | 'batchNormBackward'
  | 'softmax'
  | 'softmaxBackward'
  | 'layerNorm'
  | 'layerNormBackward';

export function makeRows(native: Addon): Pick<Kernels, RowKernels> {
  const meta = new Meta();
  const dims: number[] = [];
  const reduced: number[] = [];
  const strides: number[] = [];
  return {
    reduce(op: ReduceOp, x: Data, shape: Shape, axes: readonly number[], out: Data): void {
      // Neighbouring axes that are both reduced or both kept merge into one (and length-1 axes
      // drop), so batch norm's [N, C, H, W] over (0, 2, 3) reaches C as [N, C, H·W].
      dims.length = reduced.length = 0;
      for (let d = 0; d < shape.length; d++) {
        if (shape[d] === 1) continue;
        const r = axes.includes(d) ? 1 : 0;
        if (reduced.length && reduced[reduced.length - 1] === r) dims[dims.length - 1] *= shape[d];
        else {
          dims.push(shape[d]);
          reduced.push(r);
        }
      }
      const trailing = reduced.indexOf(1) === -1 || reduced.indexOf(1) === reduced.length - 1;
      native.reduce(REDUCE_CODE[op], x, out, meta.fill(dims.length, dims, reduced), trailing);
    },
    logSoftmax(x: Data, out: Data, rows: number, cols: number): void {
      native.logSoftmax(x, out, rows, cols);
    },
    permute(x: Data, shape: Shape, perm: readonly number[], out: Data): void {
      // Output axes of length 1 drop; an output axis merges into the one before it when x steps
      // over both contiguously (x-stride of the outer = inner's stride × inner's length).
      const xs = stridesOf(shape);
      dims.length = strides.length = 0;
      for (const p of perm) {
        if (shape[p] === 1) continue;
        const r = dims.length - 1;
        if (r >= 0 && strides[r] === xs[p] * shape[p]) {
          dims[r] *= shape[p];
          strides[r] = xs[p];
        } else {
          dims.push(shape[p]);
          strides.push(xs[p]);
        }
      }
      native.permute(x, out, meta.fill(dims.length, dims, strides));
    },
    pick(x: Data, idx: Int32Array, rows: number, cols: number, out: Data): void {
      native.pick(x, idx, rows, cols, out);
    },
    unpick(g: Data, idx: Int32Array, rows: number, cols: number, out: Data): void {
      native.unpick(g, idx, rows, cols, out);
    },
    gatherRows(table: Data, idx: Int32Array, cols: number, out: Data): void {
      native.gatherRows(table, idx, cols, out);
    },
    scatterAddRows(g: Data, idx: Int32Array, cols: number, skip: number, out: Data): void {
      native.scatterAddRows(g, idx, cols, skip, out);
    },
    softmax(x: Data, out: Data, rows: number, cols: number): void {
      native.softmax(x, out, rows, cols);
    },
    softmaxBackward(y: Data, gy: Data, out: Data, rows: number, cols: number): void {
      native.softmaxBackward(y, gy, out, rows, cols);
    },
    layerNorm(x: Data, weight: Data, bias: Data, out: Data, mean: Data, rstd: Data, args: LayerNormArgs): void {
      native.layerNorm(x, weight, bias, out, mean, rstd, args.rows, args.cols, args.eps);
    },
    layerNormBackward(
      x: Data,
      gy: Data,
      weight: Data,
      mean: Data,
      rstd: Data,
      gx: Data,
      gWeight: Data,
      gBias: Data,
      args: LayerNormArgs,
    ): void {
      native.layerNormBackward(x, gy, weight, mean, rstd, gx, gWeight, gBias, args.rows, args.cols, args.eps);
    },
    batchNorm(x: Data, weight: Data, bias: Data, out: Data, mean: Data, variance: Data, args: BatchNormArgs): void {
      native.batchNorm(x, weight, bias, out, mean, variance, args.batch, args.channels, args.plane, args.eps);
    },
    batchNormBackward(
      x: Data,
      gy: Data,
      weight: Data,
      mean: Data,
      variance: Data,
      gx: Data,
      gWeight: Data,
      gBias: Data,
      args: BatchNormArgs,
    ): void {
      const { batch, channels, plane, eps } = args;
      native.batchNormBackward(x, gy, weight, mean, variance, gx, gWeight, gBias, batch, channels, plane, eps);
    },
  };
}
