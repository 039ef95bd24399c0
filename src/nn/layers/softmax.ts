// Softmax and LogSoftmax over one axis (the ops' gradients). ONNX: the same ops with axis = dim
// (opset 13 normalises one axis, as PyTorch does).

import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { field, type LayerEntry } from './entry.js';

const fields = { dim: field.int };

/** softmax along one axis, `dim` (default the last), any shape (torch.nn.Softmax); each slice along it sums to 1. */
export class Softmax extends Module {
  /**
   * The layer's table entry (src/nn/layers/entry.ts): its model-file fields, its parameters with
   * their PyTorch layout, its ONNX nodes and its `nabla explain` lines.
   * @internal
   */
  static readonly layer: LayerEntry<'Softmax', typeof fields, Softmax> = {
    type: 'Softmax',
    fields,
    describe: (m) => ({ dim: m.dim }),
    build: (s) => new Softmax(s.dim),
    parameters: () => [],
    onnx: (g, m, { input }) => g.node('Softmax', [input], { axis: { int: m.dim } }),
    explain: () => ({ lines: [] }),
  };

  /**
   * A softmax along axis `dim`.
   * @param dim - The axis (negative counts from the end; default −1).
   */
  constructor(readonly dim = -1) { super(); }
  /** softmax(x, dim), of x's shape. */
  forward(x: Tensor): Tensor { return x.softmax(this.dim); }
}

/** log softmax along one axis, `dim` (default the last), any shape (torch.nn.LogSoftmax). */
export class LogSoftmax extends Module {
  /**
   * The layer's table entry (src/nn/layers/entry.ts): its model-file fields, its parameters with
   * their PyTorch layout, its ONNX nodes and its `nabla explain` lines.
   * @internal
   */
  static readonly layer: LayerEntry<'LogSoftmax', typeof fields, LogSoftmax> = {
    type: 'LogSoftmax',
    fields,
    describe: (m) => ({ dim: m.dim }),
    build: (s) => new LogSoftmax(s.dim),
    parameters: () => [],
    onnx: (g, m, { input }) => g.node('LogSoftmax', [input], { axis: { int: m.dim } }),
    explain: () => ({ lines: [] }),
  };

  /**
   * A log softmax along axis `dim`.
   * @param dim - The axis (negative counts from the end; default −1).
   */
  constructor(readonly dim = -1) { super(); }
  /** logSoftmax(x, dim), of x's shape. */
  forward(x: Tensor): Tensor { return x.logSoftmax(this.dim); }
}
