// Softmax and LogSoftmax over one axis (the ops' gradients). ONNX: the same ops with axis = dim
// (opset 13 normalises one axis, as PyTorch does).

import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { field, type LayerEntry } from './entry.js';

const fields = { dim: field.int };

export class Softmax extends Module {
  static readonly layer: LayerEntry<'Softmax', typeof fields, Softmax> = {
    type: 'Softmax',
    fields,
    describe: (m) => ({ dim: m.dim }),
    build: (s) => new Softmax(s.dim),
    parameters: () => [],
    onnx: (g, m, { input }) => g.node('Softmax', [input], { axis: { int: m.dim } }),
    explain: () => ({ lines: [] }),
  };

  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return x.softmax(this.dim); }
}

export class LogSoftmax extends Module {
  static readonly layer: LayerEntry<'LogSoftmax', typeof fields, LogSoftmax> = {
    type: 'LogSoftmax',
    fields,
    describe: (m) => ({ dim: m.dim }),
    build: (s) => new LogSoftmax(s.dim),
    parameters: () => [],
    onnx: (g, m, { input }) => g.node('LogSoftmax', [input], { axis: { int: m.dim } }),
    explain: () => ({ lines: [] }),
  };

  constructor(readonly dim = -1) { super(); }
  forward(x: Tensor): Tensor { return x.logSoftmax(this.dim); }
}
