// Softmax and LogSoftmax over one axis (the ops' gradients). ONNX: the same ops with axis = dim
// (opset 13 normalises one axis, as PyTorch does).

import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { field, parameterless } from './entry.js';

const fields = { dim: field.int };

/** The entry of Softmax or LogSoftmax: the axis `dim`, the ONNX op of the same name over it, nothing to explain. */
function entry<Type extends 'Softmax' | 'LogSoftmax', M extends Module & { readonly dim: number }>(
  type: Type,
  build: (dim: number) => M,
) {
  return parameterless({
    type,
    fields,
    build: (s) => build(s.dim),
    onnx: (g, m, { input }) => g.node(type, [input], { axis: { int: m.dim } }),
    explain: () => ({ lines: [] }),
  });
}

/** softmax along one axis, `dim` (default the last), any shape (torch.nn.Softmax); each slice along it sums to 1. */
export class Softmax extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = entry('Softmax', (dim) => new Softmax(dim));

  /**
   * A softmax along axis `dim`.
   * @param dim - The axis (negative counts from the end; default −1).
   */
  constructor(readonly dim = -1) {
    super();
  }
  /** softmax(x, dim), of x's shape. */
  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
}

/** log softmax along one axis, `dim` (default the last), any shape (torch.nn.LogSoftmax). */
export class LogSoftmax extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = entry('LogSoftmax', (dim) => new LogSoftmax(dim));

  /**
   * A log softmax along axis `dim`.
   * @param dim - The axis (negative counts from the end; default −1).
   */
  constructor(readonly dim = -1) {
    super();
  }
  /** logSoftmax(x, dim), of x's shape. */
  forward(x: Tensor): Tensor {
    return x.logSoftmax(this.dim);
  }
}
