// A model's architecture as plain JSON (describeModel) and back (buildModel), so a saved file
// rebuilds a working Sequential with no code. buildModel checks the whole spec, including the
// total parameter count, before it allocates anything: specs come from untrusted files.

import type { DType } from '../tensor.js';
import { getRngState, setRngState } from '../random.js';
import { sizeOf } from '../shape.js';
import type { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { MAX_PARAMETERS, type Fields, type ParameterDecl, type SpecOf } from '../nn/layers/entry.js';
import {
  buildLayer,
  entryFor,
  LAYER_TYPES,
  layerEntry,
  layerSpec,
  type LayerSpec,
  type LayerType,
} from '../nn/layers/table.js';
import { ModelFileError } from './errors.js';
import { showValue } from '../show.js';

/** One layer of a model file: its type name and its table entry's fields (see nn/layers/). */
export type { LayerSpec, LayerType };

/** A model's architecture as plain JSON, what model files store (describeModel gives it, buildModel builds it). */
export interface ModelSpec {
  /** The spec's format: a Sequential of table layers. */
  format: 'nabla.sequential';
  /** The format's version. */
  version: 1;
  /** The parameters' dtype. */
  dtype: DType;
  /** The layers, in order. */
  layers: LayerSpec[];
  /**
   * 'layer': the model is its one layer itself (save(gpt)), not a Sequential holding it, and its
   * tensors carry the layer's own names ("blocks.0.fc.weight"), as PyTorch's state_dict of that module.
   */
  root?: 'layer';
}

/** Caps on what a spec may ask for: MAX_PARAMETERS (the layers' own cap, 2^28), 10,000 layers. */
export { MAX_PARAMETERS };
/** The most layers a spec may have. */
export const MAX_LAYERS = 10_000;

/** The layer types a spec may name (the layer table's). */
export const SUPPORTED_LAYERS: LayerType[] = [...LAYER_TYPES];

/**
 * The architecture of a Sequential of supported layers, or of one supported layer alone (a GPT,
 * an LSTM: root 'layer'), as JSON-ready data; `op` names the caller in errors.
 */
export function describeModel(model: Module<unknown>, op = 'describeModel'): ModelSpec {
  const alone = !(model instanceof Sequential);
  if (alone && !layerEntry(model)) {
    throw new Error(
      `${op}: ${model.label()} is not a Sequential or a layer of the layer table (${SUPPORTED_LAYERS.join(', ')}); ` +
        'a custom module keeps its weights with saveStateDict(model.stateDict(), path) and loadStateDict',
    );
  }
  const dtypes = new Set(Object.values(model.stateDict()).map((p) => p.dtype)); // parameters and buffers
  if (dtypes.size > 1) throw new Error(`${op}: the model mixes parameter dtypes ${[...dtypes].join(' and ')}`);
  const layers = alone ? [model] : model.layers;
  return {
    format: 'nabla.sequential',
    version: 1,
    dtype: model.dtype,
    layers: layers.map((l, i) => layerSpec(l, i, op)),
    ...(alone ? { root: 'layer' as const } : {}),
  };
}

/** Checks an untrusted spec completely; returns it typed. Throws ModelFileError naming the field. */
export function validateSpec(spec: unknown, file = '<architecture>'): ModelSpec {
  const fail = (problem: string, where: string) => new ModelFileError(file, problem, where);
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec))
    throw fail('architecture is not an object', 'architecture');
  const s = spec as Record<string, unknown>;
  if (s.format !== 'nabla.sequential')
    throw fail(
      `unknown architecture format ${showValue(s.format)} (expected "nabla.sequential")`,
      'architecture.format',
    );
  if (s.version !== 1)
    throw fail(`unsupported architecture version ${showValue(s.version)} (expected 1)`, 'architecture.version');
  if (s.dtype !== 'float32' && s.dtype !== 'float64')
    throw fail(`dtype ${showValue(s.dtype)} is not float32 or float64`, 'architecture.dtype');
  if (!Array.isArray(s.layers)) throw fail('layers is not a list', 'architecture.layers');
  if (s.root !== undefined && s.root !== 'layer')
    throw fail(`root ${showValue(s.root)} is not "layer"`, 'architecture.root');
  if (s.root === 'layer' && s.layers.length !== 1)
    throw fail(`root "layer" needs exactly one layer, not ${s.layers.length}`, 'architecture.layers');
  if (s.layers.length > MAX_LAYERS)
    throw fail(`${s.layers.length} layers exceed the cap of ${MAX_LAYERS}`, 'architecture.layers');
  let parameters = 0;
  s.layers.forEach((layer: unknown, i) => {
    const at = `architecture.layers[${i}]`;
    if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) throw fail('layer is not an object', at);
    const { type, ...fields } = layer as Record<string, unknown>;
    const entry = entryFor(type);
    if (!entry)
      throw fail(`unknown layer type ${showValue(type)} (supported: ${SUPPORTED_LAYERS.join(', ')})`, `${at}.type`);
    const expected = entry.fields;
    for (const key of Object.keys(fields))
      if (!Object.hasOwn(expected, key)) throw fail(`unknown field for ${type}`, `${at}.${key}`);
    for (const [key, { check, expected: what }] of Object.entries(expected)) {
      if (!check(fields[key]))
        throw fail(`${type}.${key} is ${showValue(fields[key])}, expected ${what}`, `${at}.${key}`);
    }
    const bad = entry.check?.(fields as SpecOf<Fields>);
    if (bad) throw fail(`${type}.${bad[0]} ${bad[1]}`, `${at}.${bad[0]}`);
    for (const p of entry.parameters(fields as SpecOf<Fields>)) parameters += sizeOf(p.shape);
    if (parameters > MAX_PARAMETERS) throw fail(`the model would have more than ${MAX_PARAMETERS} parameters`, at);
  });
  return spec as ModelSpec;
}

/**
 * The parameters (nabla layout: Linear weight [in, out]) a valid spec's model has, as its layers
 * declare them, named as in the model ("2.weight"; a lone layer's own names, "blocks.0.fc.weight").
 */
export function specParameters(spec: ModelSpec): ParameterDecl[] {
  return spec.layers.flatMap((l, i) => {
    const { type, ...fields } = l;
    return entryFor(type)!
      .parameters(fields as SpecOf<Fields>)
      .map((p) => (spec.root === 'layer' ? p : { ...p, name: `${i}.${p.name}` }));
  });
}

/**
 * A fresh Sequential of a spec's layers (validated first; for root 'layer' the model is its layers[0]). Its Linear weights are initialised as usual,
 * but the global PRNG is restored afterwards: building a model to load weights into must not
 * change the random numbers a program draws next.
 */
export function buildModel(spec: unknown, file = '<architecture>'): Sequential {
  const valid = validateSpec(spec, file);
  const rng = getRngState();
  try {
    return new Sequential(valid.layers.map((l) => buildLayer(l, valid.dtype)));
  } finally {
    setRngState(rng);
  }
}
