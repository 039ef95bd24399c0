// `nabla explain`: the explanation of nn/explain.ts for a model directory, an MLP or CNN given by
// flags, or a model about to be saved (the report's summary), with the loss its data implies.

import { existsSync } from 'node:fs';
import type { LayerSpec } from '../nn/layers/table.js';
import { explainModel } from '../nn/explain.js';
import { describeModel, readModelHeader } from '../io/index.js';
import type { Sequential } from '../nn/sequential.js';
import type { InputSpec } from './data.js';
import { UsageError } from './errors.js';
import { readInputSpec } from './input-spec.js';
import { CHAR_LSTM_LAYERS, pathIn, trainingContext } from './modeldir.js';

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
