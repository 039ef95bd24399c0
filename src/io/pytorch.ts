// Export to PyTorch (`nabla export --format pytorch`): a directory of
//   model.py           build() -> the nn.Sequential nabla trained (torch's own layers, and nabla's
//                      GPT written out as torch modules), load() and save() of its weights
//   model.safetensors  the weights in PyTorch's layout (save with layout 'torch'), with nabla's
//                      architecture and the model's metadata, so nabla's load() reads it back
//   train_ddp.py       continues training under torchrun (DistributedDataParallel)
// A table layer's type is PyTorch's class name and its spec fields are the class's arguments in
// camelCase (entry.ts), so a layer becomes `nn.Type(snake_case=value, ...)`. TORCH_CLASSES lists
// the layers whose torch class takes exactly those arguments and names its parameters as the
// torch layout does (checked by test/io/pytorch.test.ts); any other layer is refused by name.

import fs from 'node:fs';
import path from 'node:path';
import type { Module } from '../nn/module.js';
import type { LayerSpec } from '../nn/layers/table.js';
import { describeModel, type ModelSpec } from './architecture.js';
import { writeFileAtomic } from './atomic.js';
import { encodeModel } from './model.js';
import { GPT_PY, LOAD_SAVE_PY, SAFETENSORS_PY, TRAIN_DDP_PY } from './pytorch-sources.js';

/** The torch class of each exportable layer type (GPT: the class model.py defines). */
const TORCH_CLASSES: Readonly<Record<string, string>> = {
  AdaptiveAvgPool2d: 'nn.AdaptiveAvgPool2d',
  AvgPool2d: 'nn.AvgPool2d',
  BatchNorm1d: 'nn.BatchNorm1d',
  BatchNorm2d: 'nn.BatchNorm2d',
  Conv1d: 'nn.Conv1d',
  Conv2d: 'nn.Conv2d',
  Dropout: 'nn.Dropout',
  Dropout2d: 'nn.Dropout2d',
  Flatten: 'nn.Flatten',
  GELU: 'nn.GELU',
  GPT: 'GPT',
  LayerNorm: 'nn.LayerNorm',
  LeakyReLU: 'nn.LeakyReLU',
  Linear: 'nn.Linear',
  LogSoftmax: 'nn.LogSoftmax',
  MaxPool2d: 'nn.MaxPool2d',
  ReLU: 'nn.ReLU',
  SiLU: 'nn.SiLU',
  Sigmoid: 'nn.Sigmoid',
  Softmax: 'nn.Softmax',
  Tanh: 'nn.Tanh',
  Unflatten: 'nn.Unflatten',
};

/** The files exportPytorch writes, by role. */
const PYTORCH_FILES = { model: 'model.py', weights: 'model.safetensors', train: 'train_ddp.py' } as const;

/** A spec field's value as a Python literal (pairs and shapes as tuples). */
function pythonLiteral(v: unknown, where: string): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null) return 'None';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v); // shortest round-trip form: Python reads the same double
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `(${v.map((x) => pythonLiteral(x, where)).join(', ')}${v.length === 1 ? ',' : ''})`;
  throw new Error(`exportPytorch: ${where} has no Python form (${String(v)})`);
}

/** Fields whose torch argument is not their name in snake_case. */
const TORCH_ARGUMENTS: Readonly<Record<string, string>> = { 'Unflatten.sizes': 'unflattened_size' };

const torchArgument = (type: string, field: string) =>
  TORCH_ARGUMENTS[`${type}.${field}`] ?? field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** One layer as a Python expression: `nn.Linear(in_features=784, out_features=128, bias=True)`. */
function torchLayer(spec: LayerSpec, index: number): string {
  const { type, ...fields } = spec;
  const cls = Object.hasOwn(TORCH_CLASSES, type) ? TORCH_CLASSES[type] : undefined;
  if (!cls)
    throw new Error(
      `exportPytorch: layer ${index} (${type}) has no PyTorch counterpart in the export (it takes ${Object.keys(TORCH_CLASSES).join(', ')})`,
    );
  const args = Object.entries(fields).map(
    ([k, v]) => `${torchArgument(type, k)}=${pythonLiteral(v, `layer ${index} (${type}).${k}`)}`,
  );
  return `${cls}(${args.join(', ')})`;
}

/** model.py for a model of this architecture. */
function pytorchModelSource(spec: ModelSpec): string {
  const layers = spec.layers.map((l, i) => `        ${torchLayer(l, i)},\n`).join('');
  const dtype = spec.dtype === 'float64' ? 'torch.float64' : 'torch.float32';
  return [
    `"""The network of a nabla model, as PyTorch modules (written by nabla export --format pytorch).\n\n`,
    `build() makes it; load() reads model.safetensors (PyTorch's layout, with nabla's architecture\n`,
    `and metadata in its header) into it; save() writes the weights back in the same format, which\n`,
    `nabla's load() reads. Needs torch >= 1.13 and no other package.\n"""\n`,
    SAFETENSORS_PY,
    spec.layers.some((l) => l.type === 'GPT') ? GPT_PY : '',
    `\n\ndef build():\n`,
    `    """The network, with nabla's parameter names ("0.weight", ...) and dtype."""\n`,
    `    return nn.Sequential(\n${layers}    ).to(${dtype})\n`,
    LOAD_SAVE_PY,
  ].join('');
}

/** Options of exportPytorch. */
export interface PytorchOptions {
  /** JSON-serialisable data stored with the weights, as save's (the CLI passes the model's own). */
  metadata?: Record<string, unknown>;
}

/**
 * Writes model.py, model.safetensors (PyTorch's layout) and train_ddp.py into `dir` (made if
 * missing; each file replaced atomically) and returns their paths. A layer without a PyTorch
 * counterpart in the export throws, naming it, before anything is written.
 *
 * @example
 * ```ts
 * exportPytorch(model, 'torch-model');   // then: torchrun --nproc_per_node 2 torch-model/train_ddp.py --data …
 * ```
 */
export function exportPytorch(model: Module, dir: string, options: PytorchOptions = {}): string[] {
  const source = pytorchModelSource(describeModel(model, 'exportPytorch'));
  const weights = encodeModel(model, { layout: 'torch', metadata: options.metadata });
  fs.mkdirSync(dir, { recursive: true });
  const files: [string, Uint8Array][] = [
    [PYTORCH_FILES.model, Buffer.from(source)],
    [PYTORCH_FILES.weights, weights],
    [PYTORCH_FILES.train, Buffer.from(TRAIN_DDP_PY)],
  ];
  return files.map(([name, bytes]) => {
    const file = path.join(dir, name);
    writeFileAtomic(file, bytes);
    return file;
  });
}
