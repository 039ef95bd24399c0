// `nabla explain`: the seeds' forward and backward formulas for each layer of a model, with its
// concrete shapes, parameter counts and the multiply-add work of one training step. It reads the
// layers' specs only: nothing is built or allocated, so a model of any size is explained at once.

import { existsSync } from 'node:fs';
import { MAX_PARAMETERS, type Fields, type SpecOf } from '../nn/layers/entry.js';
import { entryFor, layerSummary, type LayerSpec } from '../nn/layers/table.js';
import { describeModel, readModelHeader } from '../io/index.js';
import type { Sequential } from '../nn/sequential.js';
import type { InputSpec } from './data.js';
import { UsageError } from './errors.js';
import { readInputSpec } from './input-spec.js';
import { CHAR_LSTM_LAYERS, pathIn, trainingContext } from './modeldir.js';

const big = (n: number) => n.toLocaleString('en-US');
const human = (n: number) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(2)} G`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(2)} M`
      : n >= 1e3
        ? `${(n / 1e3).toFixed(1)} k`
        : String(n);

/**
 * What `nabla explain` prints for these layers trained on batches of `batch`: each layer's
 * formulas with their shapes, its parameters and FLOPs, then the loss (cross-entropy over
 * `classes`, or mean squared error when null) and the totals. `inputShape` is one sample's shape
 * ([C, H, W] for images), which convolutions need to show their products; `lossRows` the rows the
 * loss sees, as printed (a GPT's N·T positions; default N).
 *
 * @example
 * ```ts
 * explainModel(mlpLayers({ inputs: 784, hidden: [128], outputs: 10 }), 32, 10, [784]);
 * // layer 0: Linear(784→128)   100,480 parameters (W 784×128 + b 128) ...
 * ```
 */
export function explainModel(
  layers: readonly LayerSpec[],
  batch: number,
  classes: number | null,
  inputShape: readonly number[] | null = null,
  lossRows = String(batch),
): string {
  const out: string[] = [];
  let params = 0,
    fwd = 0,
    bwd = 0,
    inputGrad = false;
  let shape = inputShape;
  let width = shape ? shape.reduce((p, d) => p * d, 1) : 0;
  layers.forEach((l, i) => {
    // Each layer's formulas are its table entry's (nn/layers/).
    const { type, ...fields } = l;
    const e = entryFor(type)!.explain(fields as SpecOf<Fields>, { batch, width, shape, inputGrad });
    const p = e.parameters;
    out.push(`layer ${i}: ${layerSummary(l)}   ${p ? `${big(p.count)} parameters (${p.detail})` : 'no parameters'}`);
    out.push(...e.lines);
    if (e.flops) {
      out.push(`  FLOPs     forward ${human(e.flops.forward)}, backward ${human(e.flops.backward)}`);
      fwd += e.flops.forward;
      bwd += e.flops.backward;
    }
    if (p) {
      params += p.count;
      inputGrad = true;
    }
    width = e.width ?? width;
    shape = e.shape ?? (e.width !== undefined ? [e.width] : shape);
  });
  if (classes !== null) {
    out.push(
      `loss: cross-entropy of softmax, L = −(1/N) Σ log softmax(z)[label]   : [${lossRows}×${classes}] → scalar`,
    );
    out.push(`  backward  dL/dz = (softmax(z) − onehot(label)) / N   : [${lossRows}×${classes}]`);
  } else {
    out.push(`loss: mean squared error, L = (1/N) Σ (ŷ − y)²   backward dL/dŷ = (2/N)(ŷ − y) : [${batch}×${width}]`);
  }
  out.push('');
  out.push(
    `parameters: ${big(params)}${params > MAX_PARAMETERS ? ` (more than the cap of ${big(MAX_PARAMETERS)}: nabla would not build this model)` : ''}`,
  );
  out.push(
    `FLOPs per training step (batch ${batch}; matrix products and bias adds, elementwise ops not counted): forward ${human(fwd)}, backward ${human(bwd)}, total ${human(fwd + bwd)}`,
  );
  return out.join('\n');
}

/** A GPT's summary (its vocabulary as the classes, N·T rows for the loss), or null when the layers are not one GPT. */
function explainGpt(layers: readonly LayerSpec[], batch: number): string | null {
  const [first] = layers;
  return layers.length === 1 && first.type === 'GPT'
    ? explainModel(layers, batch, first.vocabSize, null, `${batch}·${first.contextLength}`)
    : null;
}

/** The character LSTM of nabla train --model lstm: windows of `context` tokens, its vocabulary as the classes. */
function explainCharLstm(layers: readonly LayerSpec[], batch: number, context: number): string {
  const [embedding] = layers;
  if (embedding.type !== 'Embedding') throw new Error('explainCharLstm: the first layer is not an Embedding');
  return explainModel(layers, batch, embedding.numEmbeddings, [context], `${batch}·${context}`);
}

/** Any other model trained on data described by `input`: the flat row it takes is one sample's shape (a CNN's Unflatten makes it an image). */
function explainFor(layers: readonly LayerSpec[], batch: number, input: InputSpec): string {
  return explainModel(layers, batch, input.task === 'classification' ? input.outputs : null, [input.inputs]);
}

/** The model of a directory written by nabla train, from its file's header alone (no weights are read). */
export function explainModelDir(dir: string, batch: number): string {
  const file = pathIn(dir, 'model');
  if (!existsSync(file)) throw new UsageError(`${file}: not found; write a model there with nabla train --out ${dir}`);
  const { spec, metadata } = readModelHeader(file);
  // A language model's directory needs no input description: read it only for other models.
  if (spec.layers.map((l) => l.type).join(' → ') === CHAR_LSTM_LAYERS)
    return explainCharLstm(spec.layers, batch, trainingContext(metadata, file));
  return explainGpt(spec.layers, batch) ?? explainFor(spec.layers, batch, readInputSpec(metadata.input, file));
}

/** What `nabla explain --model` prints for `model` once saved with `input` as its metadata, from the model in memory. */
export function explainSequential(model: Sequential, input: InputSpec, batch: number): string {
  const { layers } = describeModel(model, 'explain');
  return explainGpt(layers, batch) ?? explainFor(layers, batch, input);
}
