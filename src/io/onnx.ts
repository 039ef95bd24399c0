// ONNX export of a Sequential, written with our own protobuf writer (protobuf.ts).
// Opset 13 (IR version 7); the first input axis is a named dynamic dimension "batch".
// Each layer's nodes are its table entry's (nn/layers/): it writes them through OnnxEmitter,
// which GraphBuilder implements here, one scoped emitter per layer.
// Field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, ...).

import { noGrad } from '../autograd/mode.js';
import { zeros, type Tensor, type DType } from '../tensor.js';
import type { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { layerOutput, type OnnxAttribute, type OnnxEmitter } from '../nn/layers/entry.js';
import { LAYERS } from '../nn/layers/table.js';
import { describeModel } from './architecture.js';
import { writeFileAtomic } from './atomic.js';
import { ProtoWriter } from './protobuf.js';

/** The ONNX opset exportOnnx writes (IR version 7). */
export const ONNX_OPSET = 13;
const IR_VERSION = 7; // the IR version that goes with opset 13

/** TensorProto.DataType codes. */
export const ONNX_DTYPES: Record<number, string> = { 1: 'FLOAT', 7: 'INT64', 8: 'STRING', 11: 'DOUBLE' };
const FLOAT = 1;
const INT64 = 7;
const STRING = 8;
const DOUBLE = 11;
/** The opset of the ONNX-ML domain (LabelEncoder with string keys), imported where a graph uses it. */
const ONNX_ML = { domain: 'ai.onnx.ml', version: 2 };

/** Options of exportOnnx and encodeOnnx. */
export interface OnnxOptions {
  /** The shape of one sample, without the batch axis (e.g. [784]); the batch axis is dynamic. */
  inputShape: readonly number[];
  /** The input's dtype; defaults to the parameters' dtype (float32 for a model without any). */
  dtype?: DType;
  /** The graph's first nodes, from its own inputs to the model's (a table's encoding: data/table-onnx.ts). */
  preprocess?: OnnxPreprocess;
  /** Also output "probabilities": the softmax of the output's last axis (a classifier's logits). */
  probabilities?: boolean;
  /** The file's metadata_props: class names, feature names, ... (values as strings). */
  metadata?: Record<string, string>;
}

/** One input of a graph with preprocessing: [batch, width] of the graph's float type, or of strings. */
export interface OnnxGraphInput {
  /** The input's name. */
  name: string;
  /** Its elements: the graph's float type, or strings. */
  type: 'float' | 'string';
  /** Its second axis. */
  width: number;
}

/** Nodes that make the model's input from the graph's own inputs (each [batch, width]). */
export interface OnnxPreprocess {
  /** The graph's inputs, in place of "input" [batch, ...inputShape]. */
  inputs: OnnxGraphInput[];
  /** Writes the nodes; returns the name of the model's input [batch, ...inputShape]. */
  emit(e: PreprocessEmitter): string;
}

/** What OnnxPreprocess.emit writes with: nodes (of any domain) and 1-D initializers. */
export interface PreprocessEmitter {
  /** A node of `domain` (default: the ONNX operators); returns its output's name. */
  node(opType: string, inputs: string[], attributes?: Record<string, OnnxAttribute>, domain?: string): string;
  /** A 1-D initializer in the graph's float type. */
  floats(name: string, values: readonly number[]): string;
  /** A 1-D int64 initializer. */
  int64s(name: string, values: readonly number[]): string;
  /** A Cast of `input` to the graph's float type. */
  toFloat(input: string): string;
}

class GraphBuilder {
  readonly nodes: ProtoWriter[] = [];
  readonly initializers: ProtoWriter[] = [];
  /** Operator domains besides the default one that nodes use. */
  readonly domains = new Set<string>();
  private count = 0;

  constructor(readonly elemType: number) {}

  node(
    opType: string,
    inputs: string[],
    attributes: ProtoWriter[] = [],
    output = `${opType.toLowerCase()}_${this.count}`,
    domain = '',
  ): string {
    this.count++;
    const n = new ProtoWriter();
    for (const i of inputs) n.string(1, i);
    n.string(2, output).string(3, output).string(4, opType);
    for (const a of attributes) n.message(5, a);
    if (domain) {
      n.string(7, domain);
      this.domains.add(domain);
    }
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

function attribute(name: string, a: OnnxAttribute): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if ('ints' in a) return w.packedVarints(8, a.ints).varint(20, 7); // type INTS
  if ('string' in a) return w.string(4, a.string).varint(20, 3); // type STRING
  if ('strings' in a) return a.strings.reduce((v, s) => v.string(9, s), w).varint(20, 8); // type STRINGS
  return 'int' in a ? w.varint(3, a.int).varint(20, 2) : w.float(2, a.float).varint(20, 1); // type INT, FLOAT
}

const ELEM_TYPES: Record<DType | 'int64', number> = { float32: FLOAT, float64: DOUBLE, int64: INT64 };

/** The emitter a layer's entry writes its nodes through; its initializer names get the prefix "i.". */
function layerEmitter(g: GraphBuilder, prefix: string, dtype: DType): OnnxEmitter {
  return {
    dtype,
    node: (opType, inputs, attributes = {}) =>
      g.node(
        opType,
        inputs,
        Object.entries(attributes).map(([k, a]) => attribute(k, a)),
      ),
    tensor: (name, t) => g.tensor(prefix + name, t),
    scalar: (name, value) => g.scalar(prefix + name, value),
    int64s: (name, values) =>
      g.initializer(
        prefix + name,
        [values.length],
        new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer),
        INT64,
      ),
    cast: (input, to) => g.node('Cast', [input], [attribute('to', { int: ELEM_TYPES[to] })]),
  };
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

/** Output shapes of every layer for a zero batch (of one by default), in eval mode; also validates the model. */
function traceShapes(model: Sequential, inputShape: readonly number[], dtype: DType, batch = 1): number[][] {
  const modes = model.modules().map((m) => m.training);
  model.eval();
  try {
    return noGrad(() => {
      let x = zeros([batch, ...inputShape], { dtype });
      return model.layers.map((layer, i) => {
        try {
          x = layerOutput(layer, x);
        } catch (e) {
          throw new Error(
            `exportOnnx: layer ${i} (${layer.label()}) rejects input shape [batch,${inputShape.join(',')}]: ${(e as Error).message}`,
            { cause: e },
          );
        }
        return [...x.shape];
      });
    });
  } finally {
    model.modules().forEach((m, k) => (m.training = modes[k]));
  }
}

/**
 * Whether the output's first axis is the batch axis (not merged into others, as Flatten(0) does):
 * it is 1 for a batch of one and 2 for a batch of two.
 */
function keepsBatch(
  model: Sequential,
  inputShape: readonly number[],
  dtype: DType,
  outShape: readonly number[],
): boolean {
  if (outShape[0] !== 1) return false;
  try {
    const shapes = traceShapes(model, inputShape, dtype, 2);
    return (shapes.length ? shapes[shapes.length - 1][0] : 2) === 2;
  } catch {
    return false; // the model only runs on a batch of one: its output has no batch axis
  }
}

/** The bytes of exportOnnx(model, path, options): an ONNX ModelProto. */
export function encodeOnnx(model: Module, options: OnnxOptions): Uint8Array {
  if (!(model instanceof Sequential))
    throw new Error(`exportOnnx: expected a Sequential, got ${model.label()}; wrap the layers in nn.Sequential`);
  const spec = describeModel(model, 'exportOnnx');
  const { inputShape } = options;
  if (!Array.isArray(inputShape) || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(
      `exportOnnx: inputShape must list positive integers (one sample, without the batch axis), got ${JSON.stringify(inputShape)}`,
    );
  }
  const seq = model;
  const dtype = options.dtype ?? spec.dtype;
  if (seq.parameters().length > 0 && dtype !== spec.dtype)
    throw new Error(`exportOnnx: dtype ${dtype} differs from the model's ${spec.dtype}`);
  const shapes = traceShapes(seq, inputShape, dtype);
  const elemType = dtype === 'float64' ? DOUBLE : FLOAT;
  const g = new GraphBuilder(elemType);
  const { preprocess } = options;
  let x = preprocess ? preprocess.emit(preprocessEmitter(g)) : 'input';
  spec.layers.forEach((l, i) => {
    const layerInput = i === 0 ? [1, ...inputShape] : shapes[i - 1];
    x = LAYERS[l.type].onnx(layerEmitter(g, `${i}.`, elemType === DOUBLE ? 'float64' : 'float32'), seq.layers[i], {
      input: x,
      inputShape: layerInput,
      outputShape: shapes[i],
    });
  });
  g.node('Identity', [x], [], 'output'); // the graph's output, under a fixed name
  if (options.probabilities) g.node('Softmax', [x], [attribute('axis', { int: -1 })], 'probabilities');

  const outShape = shapes.length ? shapes[shapes.length - 1] : [1, ...inputShape];
  const batchMerged = !keepsBatch(seq, inputShape, dtype, outShape);
  const graph = new ProtoWriter();
  for (const n of g.nodes) graph.message(1, n);
  graph.string(2, 'nabla');
  for (const t of g.initializers) graph.message(5, t);
  const inputs = preprocess
    ? preprocess.inputs.map((i) => valueInfo(i.name, i.type === 'string' ? STRING : elemType, ['batch', i.width]))
    : [valueInfo('input', elemType, ['batch', ...inputShape])];
  for (const i of inputs) graph.message(11, i);
  const outDims = [batchMerged ? null : 'batch', ...outShape.slice(1)];
  graph.message(12, valueInfo('output', elemType, outDims));
  if (options.probabilities) graph.message(12, valueInfo('probabilities', elemType, outDims));
  const proto = new ProtoWriter()
    .varint(1, IR_VERSION)
    .string(2, 'nabla')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').varint(2, ONNX_OPSET));
  if (g.domains.has(ONNX_ML.domain))
    proto.message(8, new ProtoWriter().string(1, ONNX_ML.domain).varint(2, ONNX_ML.version));
  for (const [key, value] of Object.entries(options.metadata ?? {}))
    proto.message(14, new ProtoWriter().string(1, key).string(2, value));
  return proto.finish();
}

/** The emitter of a graph's preprocessing nodes; its initializer names get the prefix "pre.". */
function preprocessEmitter(g: GraphBuilder): PreprocessEmitter {
  const emitter = layerEmitter(g, 'pre.', g.elemType === DOUBLE ? 'float64' : 'float32');
  return {
    node: (opType, inputs, attributes = {}, domain = '') =>
      g.node(
        opType,
        inputs,
        Object.entries(attributes).map(([k, a]) => attribute(k, a)),
        undefined,
        domain,
      ),
    floats: (name, values) => {
      const raw = g.elemType === DOUBLE ? Float64Array.from(values) : Float32Array.from(values);
      return g.initializer(`pre.${name}`, [values.length], new Uint8Array(raw.buffer));
    },
    int64s: emitter.int64s,
    toFloat: (input) => g.node('Cast', [input], [attribute('to', { int: g.elemType })]),
  };
}

/**
 * Exports a Sequential of table layers (Linear, Conv2d, BatchNorm2d, GPT, ...) to an ONNX file
 * (opset 13) for ONNX Runtime and other runtimes, as torch.onnx.export does: the input "input" of
 * shape [batch, ...inputShape] with a dynamic batch axis, the output "output", the weights as
 * initializers. Written atomically.
 *
 * @example
 * ```ts
 * exportOnnx(model, 'mnist.onnx', { inputShape: [784] });
 * // onnxruntime: session.run({ input: new ort.Tensor('float32', pixels, [n, 784]) })
 * ```
 */
export function exportOnnx(model: Module, path: string, options: OnnxOptions): void {
  writeFileAtomic(path, encodeOnnx(model, options));
}
