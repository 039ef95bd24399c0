// A model's architecture as plain JSON (describeModel) and back (buildModel), so a saved file
// rebuilds a working Sequential with no code. buildModel checks the whole spec, including the
// total parameter count, before it allocates anything: specs come from untrusted files.

import type { DType } from '../tensor.js';
import { getRngState, setRngState } from '../random.js';
import { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { Dropout, Flatten, GELU, LeakyReLU, LogSoftmax, ReLU, Sequential, Sigmoid, Softmax, Tanh } from '../nn/layers.js';
import { ModelFileError } from './errors.js';

export type LayerSpec =
  | { type: 'Linear'; inFeatures: number; outFeatures: number; bias: boolean }
  | { type: 'ReLU' }
  | { type: 'Sigmoid' }
  | { type: 'Tanh' }
  | { type: 'GELU' }
  | { type: 'LeakyReLU'; negativeSlope: number }
  | { type: 'Softmax'; dim: number }
  | { type: 'LogSoftmax'; dim: number }
  | { type: 'Flatten'; startDim: number; endDim: number }
  | { type: 'Dropout'; p: number };

export interface ModelSpec {
  format: 'nabla.sequential';
  version: 1;
  dtype: DType;
  layers: LayerSpec[];
}

/** Caps on what a spec may ask for: 2^28 parameters (1 GiB of float32), 10,000 layers. */
export const MAX_PARAMETERS = 2 ** 28;
export const MAX_LAYERS = 10_000;

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isPositiveInt = (v: unknown): v is number => isInt(v) && v > 0;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isProbability = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v < 1;
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';

/** For each layer type, its fields and the check each field's value must pass. */
const FIELDS: Record<LayerSpec['type'], Record<string, [(v: unknown) => boolean, string]>> = {
  Linear: {
    inFeatures: [isPositiveInt, 'a positive integer'],
    outFeatures: [isPositiveInt, 'a positive integer'],
    bias: [isBoolean, 'a boolean'],
  },
  ReLU: {},
  Sigmoid: {},
  Tanh: {},
  GELU: {},
  LeakyReLU: { negativeSlope: [isFiniteNumber, 'a finite number'] },
  Softmax: { dim: [isInt, 'an integer'] },
  LogSoftmax: { dim: [isInt, 'an integer'] },
  Flatten: { startDim: [isInt, 'an integer'], endDim: [isInt, 'an integer'] },
  Dropout: { p: [isProbability, 'a number in [0, 1)'] },
};

export const SUPPORTED_LAYERS = Object.keys(FIELDS) as LayerSpec['type'][];

/** The layer spec of one module, or an error naming the module and its position. */
function describeLayer(layer: Module, index: number, op: string): LayerSpec {
  if (layer instanceof Linear) {
    return { type: 'Linear', inFeatures: layer.inFeatures, outFeatures: layer.outFeatures, bias: layer.bias !== null };
  }
  if (layer instanceof ReLU) return { type: 'ReLU' };
  if (layer instanceof Sigmoid) return { type: 'Sigmoid' };
  if (layer instanceof Tanh) return { type: 'Tanh' };
  if (layer instanceof GELU) return { type: 'GELU' };
  if (layer instanceof LeakyReLU) return { type: 'LeakyReLU', negativeSlope: layer.negativeSlope };
  if (layer instanceof Softmax) return { type: 'Softmax', dim: layer.dim };
  if (layer instanceof LogSoftmax) return { type: 'LogSoftmax', dim: layer.dim };
  if (layer instanceof Flatten) return { type: 'Flatten', startDim: layer.startDim, endDim: layer.endDim };
  if (layer instanceof Dropout) return { type: 'Dropout', p: layer.p };
  throw new Error(`${op}: layer ${index} (${layer}) is not supported; supported layers: ${SUPPORTED_LAYERS.join(', ')}`);
}

/** The architecture of a Sequential of supported layers, as JSON-ready data; `op` names the caller in errors. */
export function describeModel(model: Module, op = 'describeModel'): ModelSpec {
  if (!(model instanceof Sequential)) {
    throw new Error(`${op}: expected a Sequential, got ${model}; wrap the layers in nn.Sequential`);
  }
  const dtypes = new Set(model.parameters().map((p) => p.dtype));
  if (dtypes.size > 1) throw new Error(`${op}: the model mixes parameter dtypes ${[...dtypes].join(' and ')}`);
  return { format: 'nabla.sequential', version: 1, dtype: model.dtype, layers: model.layers.map((l, i) => describeLayer(l, i, op)) };
}

/** Checks an untrusted spec completely; returns it typed. Throws ModelFileError naming the field. */
export function validateSpec(spec: unknown, file = '<architecture>'): ModelSpec {
  const fail = (problem: string, where: string) => new ModelFileError(file, problem, where);
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw fail('architecture is not an object', 'architecture');
  const s = spec as Record<string, unknown>;
  if (s.format !== 'nabla.sequential') throw fail(`unknown architecture format ${JSON.stringify(s.format)} (expected "nabla.sequential")`, 'architecture.format');
  if (s.version !== 1) throw fail(`unsupported architecture version ${JSON.stringify(s.version)} (expected 1)`, 'architecture.version');
  if (s.dtype !== 'float32' && s.dtype !== 'float64') throw fail(`dtype ${JSON.stringify(s.dtype)} is not float32 or float64`, 'architecture.dtype');
  if (!Array.isArray(s.layers)) throw fail('layers is not a list', 'architecture.layers');
  if (s.layers.length > MAX_LAYERS) throw fail(`${s.layers.length} layers exceed the cap of ${MAX_LAYERS}`, 'architecture.layers');
  let parameters = 0;
  s.layers.forEach((layer: unknown, i) => {
    const at = `architecture.layers[${i}]`;
    if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) throw fail('layer is not an object', at);
    const { type, ...fields } = layer as Record<string, unknown>;
    if (typeof type !== 'string' || !Object.hasOwn(FIELDS, type)) {
      throw fail(`unknown layer type ${JSON.stringify(type)} (supported: ${SUPPORTED_LAYERS.join(', ')})`, `${at}.type`);
    }
    const expected = FIELDS[type as LayerSpec['type']];
    for (const key of Object.keys(fields)) if (!Object.hasOwn(expected, key)) throw fail(`unknown field for ${type}`, `${at}.${key}`);
    for (const [key, [check, what]] of Object.entries(expected)) {
      if (!check(fields[key])) throw fail(`${type}.${key} is ${JSON.stringify(fields[key])}, expected ${what}`, `${at}.${key}`);
    }
    if (type === 'Linear') {
      const { inFeatures, outFeatures, bias } = fields as { inFeatures: number; outFeatures: number; bias: boolean };
      parameters += inFeatures * outFeatures + (bias ? outFeatures : 0);
      if (parameters > MAX_PARAMETERS) throw fail(`the model would have more than ${MAX_PARAMETERS} parameters`, at);
    }
  });
  return spec as ModelSpec;
}

/** The parameter names and shapes (nabla layout, weight [in, out]) a valid spec's model has. */
export function specParameters(spec: ModelSpec): [string, number[]][] {
  return spec.layers.flatMap((l, i): [string, number[]][] =>
    l.type !== 'Linear' ? [] : [[`${i}.weight`, [l.inFeatures, l.outFeatures]], ...(l.bias ? [[`${i}.bias`, [l.outFeatures]] as [string, number[]]] : [])],
  );
}

function buildLayer(l: LayerSpec, dtype: DType): Module {
  switch (l.type) {
    case 'Linear': return new Linear(l.inFeatures, l.outFeatures, { bias: l.bias, dtype });
    case 'ReLU': return new ReLU();
    case 'Sigmoid': return new Sigmoid();
    case 'Tanh': return new Tanh();
    case 'GELU': return new GELU();
    case 'LeakyReLU': return new LeakyReLU(l.negativeSlope);
    case 'Softmax': return new Softmax(l.dim);
    case 'LogSoftmax': return new LogSoftmax(l.dim);
    case 'Flatten': return new Flatten(l.startDim, l.endDim);
    case 'Dropout': return new Dropout(l.p);
  }
}

/**
 * A fresh Sequential from a spec (validated first). Its Linear weights are initialised as usual,
 * but the global PRNG is restored afterwards: building a model to load weights into must not
 * change the random numbers a program draws next.
 */
export function buildModel(spec: unknown, file = '<architecture>'): Sequential {
  const valid = validateSpec(spec, file);
  const rng = getRngState();
  try {
    return new Sequential(...valid.layers.map((l) => buildLayer(l, valid.dtype)));
  } finally {
    setRngState(rng);
  }
}
