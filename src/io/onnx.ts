// ONNX export of a Sequential, written with our own protobuf writer (protobuf.ts).
// Opset 13 (IR version 7); the first input axis is a named dynamic dimension "batch".
// Layer → ONNX nodes:
//   Linear      MatMul(x, W[in,out]) then Add(b)        (works for inputs of any rank)
//   ReLU, Sigmoid, Tanh → Relu, Sigmoid, Tanh;  LeakyReLU → LeakyRelu(alpha) (float64:
//               Relu(x) + α·Min(x, 0), as ONNX Runtime's CPU provider has no double LeakyRelu)
//   GELU        exact: 0.5·x·(1 + Erf(x/√2))            (opset 13 has Erf but no Gelu; for float64
//               models Erf runs in float32 between two Casts, because ONNX Runtime's CPU
//               provider has no double Erf: about 1e-7 relative error there)
//   Softmax, LogSoftmax → the same with axis = dim       (opset 13 normalises one axis)
//   Flatten     Reshape to the flattened shape, 0 copying the batch axis
//   Dropout     Identity (inference)
// Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, ...).

import { noGrad } from '../autograd/mode.js';
import { zeros, type Tensor, type DType } from '../tensor.js';
import type { Module } from '../nn/module.js';
import type { Sequential } from '../nn/layers.js';
import { describeModel, type LayerSpec } from './architecture.js';
import { writeFileAtomic } from './atomic.js';
import { ProtoWriter } from './protobuf.js';

export const ONNX_OPSET = 13;
const IR_VERSION = 7; // the IR version that goes with opset 13

/** TensorProto.DataType codes. */
export const ONNX_DTYPES: Record<number, string> = { 1: 'FLOAT', 7: 'INT64', 11: 'DOUBLE' };
const FLOAT = 1;
const INT64 = 7;
const DOUBLE = 11;

export interface OnnxOptions {
  /** The shape of one sample, without the batch axis (e.g. [784]); the batch axis is dynamic. */
  inputShape: readonly number[];
  /** The input's dtype; defaults to the parameters' dtype (float32 for a model without any). */
  dtype?: DType;
}

class GraphBuilder {
  readonly nodes: ProtoWriter[] = [];
  readonly initializers: ProtoWriter[] = [];
  private count = 0;

  constructor(readonly elemType: number) {}

  node(opType: string, inputs: string[], attributes: ProtoWriter[] = [], output = `${opType.toLowerCase()}_${this.count}`): string {
    this.count++;
    const n = new ProtoWriter();
    for (const i of inputs) n.string(1, i);
    n.string(2, output).string(3, output).string(4, opType);
    for (const a of attributes) n.message(5, a);
    this.nodes.push(n);
    return output;
  }

  initializer(name: string, dims: readonly number[], raw: Uint8Array, dataType = this.elemType): string {
    this.initializers.push(new ProtoWriter().packedVarints(1, dims).varint(2, dataType).string(8, name).bytes(9, raw));
    return name;
  }

  tensor(name: string, t: Tensor): string {
    const raw = t.dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data);
    return this.initializer(name, t.shape, new Uint8Array(raw.buffer));
  }

  scalar(name: string, value: number): string {
    const raw = this.elemType === DOUBLE ? new Float64Array([value]) : new Float32Array([value]);
    return this.initializer(name, [], new Uint8Array(raw.buffer));
  }
}

const intAttribute = (name: string, v: number) => new ProtoWriter().string(1, name).varint(3, v).varint(20, 2); // type INT
const floatAttribute = (name: string, v: number) => new ProtoWriter().string(1, name).float(2, v).varint(20, 1); // type FLOAT

/** The nodes of one layer; `shapeOut` is the layer's output shape for a batch of one. */
function emitLayer(g: GraphBuilder, l: LayerSpec, i: number, x: string, model: Sequential, shapeOut: readonly number[]): string {
  switch (l.type) {
    case 'Linear': {
      const state = model.layers[i].stateDict();
      const y = g.node('MatMul', [x, g.tensor(`${i}.weight`, state.weight)]);
      return l.bias ? g.node('Add', [y, g.tensor(`${i}.bias`, state.bias)]) : y;
    }
    case 'ReLU': return g.node('Relu', [x]);
    case 'Sigmoid': return g.node('Sigmoid', [x]);
    case 'Tanh': return g.node('Tanh', [x]);
    case 'LeakyReLU':
      if (g.elemType === FLOAT) return g.node('LeakyRelu', [x], [floatAttribute('alpha', l.negativeSlope)]);
      // ONNX Runtime's CPU provider has no double LeakyRelu: relu(x) + α·min(x, 0), exact.
      return g.node('Add', [g.node('Relu', [x]), g.node('Mul', [g.node('Min', [x, g.scalar(`${i}.zero`, 0)]), g.scalar(`${i}.alpha`, l.negativeSlope)])]);
    case 'GELU': {
      const scaled = g.node('Mul', [x, g.scalar(`${i}.inv_sqrt2`, Math.SQRT1_2)]);
      const erf = g.elemType === DOUBLE
        ? g.node('Cast', [g.node('Erf', [g.node('Cast', [scaled], [intAttribute('to', FLOAT)])])], [intAttribute('to', DOUBLE)])
        : g.node('Erf', [scaled]);
      const onePlus = g.node('Add', [erf, g.scalar(`${i}.one`, 1)]);
      return g.node('Mul', [g.node('Mul', [x, onePlus]), g.scalar(`${i}.half`, 0.5)]);
    }
    case 'Softmax': return g.node('Softmax', [x], [intAttribute('axis', l.dim)]);
    case 'LogSoftmax': return g.node('LogSoftmax', [x], [intAttribute('axis', l.dim)]);
    case 'Flatten': {
      // Reshape's 0 copies the input's size on that axis: the dynamic batch. If the batch axis
      // itself is merged (startDim 0), -1 lets Reshape work the merged size out.
      const target = [l.startDim === 0 ? -1 : 0, ...shapeOut.slice(1)];
      const raw = new Uint8Array(BigInt64Array.from(target.map(BigInt)).buffer);
      return g.node('Reshape', [x, g.initializer(`${i}.shape`, [target.length], raw, INT64)]);
    }
    case 'Dropout': return g.node('Identity', [x]);
  }
}

function valueInfo(name: string, elemType: number, dims: (number | string | null)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.varint(1, d);
    else if (typeof d === 'string') dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().varint(1, elemType).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

/** Output shapes of every layer for one zero sample, in eval mode; also validates the model. */
function traceShapes(model: Sequential, inputShape: readonly number[], dtype: DType): number[][] {
  const modes = model.modules().map((m) => m.training);
  model.eval();
  try {
    return noGrad(() => {
      let x = zeros([1, ...inputShape], { dtype });
      return model.layers.map((layer, i) => {
        try {
          x = layer.forward(x);
        } catch (e) {
          throw new Error(`exportOnnx: layer ${i} (${layer}) rejects input shape [batch,${inputShape.join(',')}]: ${(e as Error).message}`);
        }
        return [...x.shape];
      });
    });
  } finally {
    model.modules().forEach((m, k) => (m.training = modes[k]));
  }
}

export function encodeOnnx(model: Module, options: OnnxOptions): Uint8Array {
  const spec = describeModel(model, 'exportOnnx');
  const { inputShape } = options;
  if (!Array.isArray(inputShape) || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`exportOnnx: inputShape must list positive integers (one sample, without the batch axis), got ${JSON.stringify(inputShape)}`);
  }
  const seq = model as Sequential;
  const dtype = options.dtype ?? spec.dtype;
  if (seq.parameters().length > 0 && dtype !== spec.dtype) throw new Error(`exportOnnx: dtype ${dtype} differs from the model's ${spec.dtype}`);
  const shapes = traceShapes(seq, inputShape, dtype);
  const elemType = dtype === 'float64' ? DOUBLE : FLOAT;
  const g = new GraphBuilder(elemType);
  let x = 'input';
  spec.layers.forEach((l, i) => (x = emitLayer(g, l, i, x, seq, shapes[i])));
  g.node('Identity', [x], [], 'output'); // the graph's output, under a fixed name

  const outShape = shapes.length ? shapes[shapes.length - 1] : [1, ...inputShape];
  const batchMerged = spec.layers.some((l) => l.type === 'Flatten' && l.startDim === 0);
  const graph = new ProtoWriter();
  for (const n of g.nodes) graph.message(1, n);
  graph.string(2, 'nabla');
  for (const t of g.initializers) graph.message(5, t);
  graph.message(11, valueInfo('input', elemType, ['batch', ...inputShape]));
  graph.message(12, valueInfo('output', elemType, [batchMerged ? null : 'batch', ...outShape.slice(1)]));
  return new ProtoWriter()
    .varint(1, IR_VERSION)
    .string(2, 'nabla')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').varint(2, ONNX_OPSET))
    .finish();
}

/** Writes the ONNX file atomically. */
export function exportOnnx(model: Module, path: string, options: OnnxOptions): void {
  writeFileAtomic(path, encodeOnnx(model, options));
}
