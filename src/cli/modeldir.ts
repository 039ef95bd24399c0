// A model directory, as `nabla train --out DIR` writes it.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Module } from '../nn/module.js';
import { noGrad } from '../autograd/mode.js';
import { zeros } from '../tensor.js';
import { load, ModelFileError, readModelHeader } from '../io/index.js';
import { Sequential } from '../nn/sequential.js';
import { GPT } from '../nn/layers/gpt.js';
import type { Embedding } from '../nn/layers/embedding.js';
import { showValue } from '../show.js';
import type { InputSpec } from './data.js';
import { UsageError } from './errors.js';
import { readInputSpec } from './input-spec.js';

export const files = {
  model: 'model.safetensors',
  checkpoint: 'checkpoint.ckpt',
  metrics: 'metrics.json',
  curves: 'curves.svg',
  confusion: 'confusion.svg',
  confusionCsv: 'confusion.csv',
  report: 'report.html',
} as const;

export const pathIn = (dir: string, name: keyof typeof files) => join(dir, files[name]);

/**
 * The output shape of one zero row [1, inputs] through the model in eval mode (whatever its
 * layers: an MLP's Linear, a CNN's Unflatten and convolutions), or null if the model rejects it.
 */
function dryRun(model: Module, inputs: number): number[] | null {
  const modes = model.modules().map((m) => m.training);
  model.eval();
  try {
    return noGrad(() => [...model.forward(zeros([1, inputs], { dtype: model.dtype })).shape]);
  } catch {
    return null;
  } finally {
    model.modules().forEach((m, k) => (m.training = modes[k]));
  }
}

export interface LoadedModel {
  model: Module;
  spec: InputSpec;
  metadata: Record<string, unknown>;
  file: string;
}

/** DIR is a directory, else a UsageError saying what it is (missing, a file, a symbolic link loop). */
function checkModelDir(dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`--model ${dir}: no such directory`);
    throw new UsageError(`--model ${dir}: cannot read it (${code === 'ELOOP' ? 'ELOOP, a symbolic link loop' : code})`);
  }
  if (!isDir) throw new UsageError(`--model ${dir}: not a directory`);
}

/** The model of DIR with its input spec; fails naming the path when it is missing or not ours. */
export function readModelDir(dir: string): LoadedModel {
  checkModelDir(dir);
  const file = pathIn(dir, 'model');
  if (!existsSync(file)) throw new UsageError(`${file}: not found; write a model there with nabla train --out ${dir}`);
  const { model, metadata } = load(file);
  const spec = readInputSpec(metadata.input, file);
  const out = dryRun(model, spec.inputs);
  if (out === null || out.length !== 2 || out[1] !== spec.outputs) {
    throw new ModelFileError(
      file,
      `the network does not match its metadata (${spec.inputs} inputs, ${spec.outputs} outputs): written by another model`,
    );
  }
  return { model, spec, metadata, file };
}

/** A language model as nabla train writes it: tokens [N, T] → logits [N, T, vocabSize]. */
export interface LoadedLanguageModel {
  model: Sequential;
  /** The GPT the Sequential holds, or null for the character LSTM (Embedding → LSTM → Linear). */
  gpt: GPT | null;
  /** The token ids the model reads (its embedding's rows). */
  vocabSize: number;
  /** The tokens per sequence it was trained on (a GPT's context), the input length of an ONNX export. */
  contextLength: number;
  metadata: Record<string, unknown>;
  file: string;
}

/**
 * The language model of DIR (nabla train --model gpt or --data addition: a Sequential holding a
 * GPT; --model lstm: Embedding → LSTM → Linear), or null for any other model.
 */
export function readLanguageModelDir(dir: string): LoadedLanguageModel | null {
  checkModelDir(dir);
  const file = pathIn(dir, 'model');
  if (!existsSync(file)) throw new UsageError(`${file}: not found; write a model there with nabla train --out ${dir}`);
  const { spec } = readModelHeader(file);
  const types = spec.layers.map((l) => l.type).join(' → ');
  if (types !== 'GPT' && types !== CHAR_LSTM_LAYERS) return null;
  if (spec.root === 'layer' && types === 'GPT') {
    // A GPT saved alone (save(gpt)): wrapped, as train writes it.
    const { model: gpt, metadata } = load(file, { as: GPT });
    const { vocabSize, contextLength } = gpt.config;
    return { model: new Sequential(gpt), gpt, vocabSize, contextLength, metadata, file };
  }
  const { model, metadata } = load(file);
  const first = model.layers[0];
  if (first instanceof GPT) {
    const { vocabSize, contextLength } = first.config;
    return { model, gpt: first, vocabSize, contextLength, metadata, file };
  }
  const vocabSize = (first as Embedding).numEmbeddings;
  return { model, gpt: null, vocabSize, contextLength: trainingContext(metadata, file), metadata, file };
}

/** The layers of nabla train --model lstm's model, as a model file's header lists them. */
export const CHAR_LSTM_LAYERS = 'Embedding → LSTM → Linear';

/**
 * The context a character LSTM was trained on (its metadata's run.context), which sizes an ONNX
 * export's input and explain's shapes; the metadata is untrusted, so anything but an integer
 * 1..65536 is an error naming the file.
 */
export function trainingContext(metadata: Record<string, unknown>, file: string): number {
  const context = (metadata.run as { context?: unknown } | undefined)?.context;
  if (!Number.isSafeInteger(context) || (context as number) < 1 || (context as number) > 65_536)
    throw new ModelFileError(
      file,
      `the character LSTM's training context is ${showValue(context)}, expected an integer 1..65536`,
      'nabla.metadata.run.context',
    );
  return context as number;
}
