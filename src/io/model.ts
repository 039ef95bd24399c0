// save / load: a whole model in one safetensors file. The weights are the tensors; the
// header's __metadata__ holds, as JSON strings,
//   nabla.architecture  the layer list (describeModel), so load() rebuilds the model with no code
//   nabla.metadata      the caller's own data (class names, standardisation statistics, ...)
//   nabla.layout        'nabla' (Linear weight [in, out]) or 'torch' (PyTorch's layouts: Linear weight
//                       [out, in]; each layer's table entry says which parameters PyTorch stores transposed
//                       and which it names differently: batch norm's running_mean, running_var)
// Counts (batch norm's numBatchesTracked) are I64, as PyTorch's int64 buffers.
// Parameter names are nn.Sequential's in both libraries: "0.weight", "0.bias", "2.weight", ...

import { Tensor, type DType } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { nonFiniteProblem, type Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import type { ParameterDecl } from '../nn/layers/entry.js';
import { buildModel, describeModel, specParameters, validateSpec, type ModelSpec } from './architecture.js';
import { writeFileAtomic } from './atomic.js';
import { ModelFileError } from './errors.js';
import { decodeSafetensors, encodeSafetensors, readSafetensorsMetadata } from './safetensors.js';
import { readModelFile } from './state-dict.js';
import { fromGpt2 } from './gpt2.js';
import { showValue } from '../show.js';

/**
 * A model file's weight layout: 'nabla' (Linear weights [in, out]) or 'torch' (PyTorch's: [out, in], and PyTorch's buffer names such as running_mean).
 */
export type Layout = 'nabla' | 'torch';

/** Options of save and encodeModel. */
export interface SaveOptions {
  /** JSON-serialisable data stored with the model and returned by load(). */
  metadata?: Record<string, unknown>;
  /** 'torch' writes each Linear weight as PyTorch's [out, in]; default 'nabla' ([in, out]). */
  layout?: Layout;
}

/** Options of load and decodeModel. */
export interface LoadOptions<M extends Module<unknown> = Module<unknown>> {
  /**
   * The class the saved model is (default Sequential): load checks it and types the model as it,
   * so `load(path, { as: GPT }).model` is a GPT with no cast.
   */
  as?: ModuleClass<M>;
  /** The file's weight layout; defaults to the layout recorded in the file, else 'nabla'. */
  layout?: Layout;
  /** The architecture, for files without nabla.architecture (e.g. written by PyTorch). */
  architecture?: ModelSpec;
  /** 'gpt2': a GPT-2 file as Hugging Face writes it (io/gpt2.ts), loaded into nabla's GPT. */
  format?: 'nabla' | 'gpt2';
  /** For format 'gpt2': the attention heads (default embedDim / 64, GPT-2's head size). */
  numHeads?: number;
  /** Load NaN and infinite weights too (default false: the file is refused, naming the tensor and element). */
  allowNonFinite?: boolean;
}

/** A module class, for load's `as`: the loaded model is checked to be one and typed as one. */
export type ModuleClass<M extends Module<unknown>> = abstract new (...args: never[]) => M;

export const ARCHITECTURE_KEY = 'nabla.architecture';
export const METADATA_KEY = 'nabla.metadata';
export const LAYOUT_KEY = 'nabla.layout';

/** A tensor's name in a file of this layout: PyTorch's own name where its layer declares one ("3.running_mean"). */
function fileName(p: ParameterDecl, layout: Layout): string {
  if (layout !== 'torch' || p.torchName === undefined) return p.name;
  return `${p.name.slice(0, p.name.lastIndexOf('.') + 1)}${p.torchName}`;
}

/** A copy in another dtype (an I64 count loads as float64). */
function withDtype(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  return new Tensor(dtype === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data), t.shape, dtype);
}

/** A 2-D tensor's transpose, as a fresh contiguous tensor (exact: values are only moved). */
function transpose2d(t: Tensor): Tensor {
  const [rows, cols] = t.shape;
  const out = t.data instanceof Float64Array ? new Float64Array(t.size) : new Float32Array(t.size);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c];
  return new Tensor(out, [cols, rows], t.dtype);
}

/** The bytes of save(model): a safetensors file of the weights with the architecture and metadata in its header. */
export function encodeModel(model: Module<unknown>, options: SaveOptions = {}): Uint8Array {
  const layout = options.layout ?? 'nabla';
  if (layout !== 'nabla' && layout !== 'torch')
    throw new Error(`save: unknown layout '${layout as string}' (use 'nabla' or 'torch')`);
  const userMetadata = options.metadata ?? {};
  if (typeof userMetadata !== 'object' || userMetadata === null || Array.isArray(userMetadata)) {
    throw new Error('save: metadata must be an object of JSON-serialisable values');
  }
  const spec = describeModel(model, 'save');
  const state = model.stateDict();
  const tensors: Record<string, Tensor> = {};
  const dtypes: Record<string, 'I64'> = {};
  for (const p of specParameters(spec)) {
    const t = state[p.name];
    const name = fileName(p, layout);
    tensors[name] = layout === 'torch' && p.torch === 'transpose' ? transpose2d(t) : t;
    if (p.integer) dtypes[name] = 'I64';
  }
  const metadata: Record<string, string> = {
    [ARCHITECTURE_KEY]: JSON.stringify(spec),
    [METADATA_KEY]: JSON.stringify(userMetadata),
    [LAYOUT_KEY]: layout,
  };
  if (layout === 'torch') metadata.format = 'pt'; // what Hugging Face tools expect of PyTorch files
  return encodeSafetensors(tensors, metadata, { dtypes });
}

/**
 * Saves a model (a Sequential of table layers: Linear, Conv2d, GPT, ...) in one safetensors file:
 * the weights, the architecture (so load rebuilds it with no code) and your metadata, written
 * atomically (a temp file in the same directory, fsync, rename). With layout 'torch' the weights
 * are PyTorch's layout, and the file loads into the same nn.Sequential in PyTorch.
 *
 * @example
 * ```ts
 * save(model, 'mnist.safetensors', { metadata: { classes: 10 } });
 * const { model: again, metadata } = load('mnist.safetensors');
 * ```
 */
export function save(model: Module<unknown>, path: string, options: SaveOptions = {}): void {
  writeFileAtomic(path, encodeModel(model, options));
}

/** What load gives: the model and the metadata saved with it. */
export interface LoadedModel<M extends Module<unknown> = Sequential> {
  /** The rebuilt model, in eval mode (call .train() to train it further): what was saved, a Sequential or a lone layer. */
  model: M;
  /** The metadata given to save ({} when none). */
  metadata: Record<string, unknown>;
}

/**
 * load() from bytes: rebuilds the model from the file's architecture (or options.architecture), checks every tensor against it, and loads the weights; `file` names the bytes in errors.
 */
export function decodeModel<M extends Module<unknown>>(
  bytes: Uint8Array,
  file: string,
  options: LoadOptions<M> & { as: ModuleClass<M> },
): LoadedModel<M>;
export function decodeModel(bytes: Uint8Array, file?: string, options?: LoadOptions<Sequential>): LoadedModel;
export function decodeModel(
  bytes: Uint8Array,
  file = '<bytes>',
  options: LoadOptions = {},
): LoadedModel<Module<unknown>> {
  const as = options.as ?? Sequential;
  if (options.layout !== undefined && options.layout !== 'nabla' && options.layout !== 'torch') {
    throw new Error(`load: unknown layout '${options.layout as string}' (use 'nabla' or 'torch')`);
  }
  const fail = (problem: string, where: string) => new ModelFileError(file, problem, where);
  const decoded = decodeSafetensors(bytes, file);
  const { metadata: header } = decoded;
  let { tensors, dtypes } = decoded;
  if (options.format !== undefined && options.format !== 'nabla' && options.format !== 'gpt2') {
    throw new Error(`load: unknown format '${options.format as string}' (use 'nabla' or 'gpt2')`);
  }
  if (options.format === 'gpt2') {
    if (options.architecture)
      throw new Error("load: format 'gpt2' builds its own architecture; do not pass options.architecture");
    const gpt2 = fromGpt2(tensors, dtypes, file, options.numHeads);
    ({ tensors, dtypes } = gpt2);
    options = { ...options, architecture: gpt2.spec, layout: 'nabla' };
  }

  const recorded = header[LAYOUT_KEY];
  if (recorded !== undefined && recorded !== 'nabla' && recorded !== 'torch')
    throw fail(`unknown layout ${showValue(recorded)}`, LAYOUT_KEY);
  if (options.layout && recorded && options.layout !== recorded) {
    throw fail(`the file is in the '${recorded}' layout but layout '${options.layout}' was asked for`, LAYOUT_KEY);
  }
  const layout = options.layout ?? (recorded as Layout | undefined) ?? 'nabla';

  let spec: unknown = options.architecture;
  if (spec === undefined) {
    if (header[ARCHITECTURE_KEY] === undefined) {
      throw fail(
        'no architecture in the file; pass options.architecture to load weights written elsewhere',
        `__metadata__.${ARCHITECTURE_KEY}`,
      );
    }
    spec = parseJson(header[ARCHITECTURE_KEY], ARCHITECTURE_KEY, fail);
  }
  const valid = validateSpec(spec, file);
  const metadata = userMetadata(header, fail);

  // Every tensor is checked against the architecture before the model is built.
  const expected = new Map(specParameters(valid).map((p) => [fileName(p, layout), p]));
  for (const name of Object.keys(tensors))
    if (!expected.has(name)) throw fail('tensor is not a parameter of the architecture', name);
  const state: Record<string, Tensor> = {};
  for (const [name, p] of expected) {
    const t = tensors[name];
    if (!t) throw fail('tensor missing from the file', name);
    const transposed = layout === 'torch' && p.torch === 'transpose';
    const fileShape = transposed ? [...p.shape].reverse() : p.shape;
    if (shapeStr(t.shape) !== shapeStr(fileShape)) {
      throw fail(
        `shape ${shapeStr(t.shape)} does not match ${shapeStr(fileShape)} from the architecture (${layout} layout)`,
        name,
      );
    }
    const wanted = p.integer ? 'I64' : valid.dtype === 'float64' ? 'F64' : 'F32';
    if (dtypes[name] !== wanted)
      throw fail(
        `dtype ${dtypes[name]} does not match the architecture's ${p.integer ? 'integer count' : valid.dtype} (${wanted})`,
        name,
      );
    const problem = options.allowNonFinite ? null : nonFiniteProblem(t.data);
    if (problem) throw fail(problem, name);
    state[p.name] = transposed ? transpose2d(t) : withDtype(t, valid.dtype);
  }
  const built = buildModel(valid, file);
  const model = valid.root === 'layer' ? built.layers[0] : built;
  if (!(model instanceof as)) {
    const what = valid.root === 'layer' ? `a lone ${valid.layers[0].type}` : 'a Sequential';
    const hint = valid.root === 'layer' ? `: load it with { as: ${valid.layers[0].type} }` : '';
    throw fail(`the file holds ${what}, not a ${as.name}${hint}`, `__metadata__.${ARCHITECTURE_KEY}`);
  }
  model.loadStateDict(state, { allowNonFinite: true }); // checked above, naming the file
  return { model: model.eval(), metadata };
}

/** The caller's metadata of a file's header (nabla.metadata), checked to be a JSON object. */
function userMetadata(
  header: Record<string, string>,
  fail: (p: string, w: string) => ModelFileError,
): Record<string, unknown> {
  const metadata = header[METADATA_KEY] === undefined ? {} : parseJson(header[METADATA_KEY], METADATA_KEY, fail);
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    throw fail('metadata is not a JSON object', METADATA_KEY);
  return metadata as Record<string, unknown>;
}

/** A model file's architecture and metadata from its header alone: no tensor is read and nothing is built. */
export function readModelHeader(path: string): {
  /** The model's architecture. */
  spec: ModelSpec;
  /** The metadata saved with it ({} when none). */
  metadata: Record<string, unknown>;
} {
  const fail = (problem: string, where: string) => new ModelFileError(path, problem, where);
  const header = readSafetensorsMetadata(path);
  if (header[ARCHITECTURE_KEY] === undefined)
    throw fail('no architecture in the file', `__metadata__.${ARCHITECTURE_KEY}`);
  return {
    spec: validateSpec(parseJson(header[ARCHITECTURE_KEY], ARCHITECTURE_KEY, fail), path),
    metadata: userMetadata(header, fail),
  };
}

/**
 * Loads a model saved by save (or by PyTorch, with options.architecture and layout 'torch', or a
 * Hugging Face GPT-2 file with format 'gpt2'): the rebuilt model in eval mode, and its metadata.
 * Everything in the file is checked first; a bad file throws a ModelFileError naming the file and
 * the tensor or field.
 *
 * @example
 * ```ts
 * const { model } = load('mnist.safetensors');
 * const logits = model.forward(x);   // the same outputs as the saved model
 * ```
 */
export function load<M extends Module<unknown>>(
  path: string,
  options: LoadOptions<M> & { as: ModuleClass<M> },
): LoadedModel<M>;
export function load(path: string, options?: LoadOptions<Sequential>): LoadedModel;
export function load(path: string, options: LoadOptions = {}): LoadedModel<Module<unknown>> {
  return decodeModel(readModelFile(path), path, options as LoadOptions<Sequential>);
}

function parseJson(text: string, key: string, fail: (p: string, w: string) => ModelFileError): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw fail(`not valid JSON: ${(e as Error).message}`, `__metadata__.${key}`);
  }
}
