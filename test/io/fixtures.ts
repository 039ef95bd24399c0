// Models whose files are committed under test/fixtures/io and checked by PyTorch and python3-onnx
// (scripts/make_torch_io_fixtures.py). The tests regenerate the bytes from these makers and
// compare them with the committed files, so the committed verdicts apply to today's code.
// Write them with `npm run fixtures:io`. Importing this module has no side effects.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { manualSeed, nn, randn, type DType, type Tensor } from '../../src/index.js';
import { encodeModel, encodeOnnx } from '../../src/io/index.js';

/** test/fixtures/io in the source tree (this file runs from dist/test/io). */
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/io');

/** A model of every layer type, for the torch-layout file PyTorch must load. */
export function torchLayoutModel(): { model: nn.Sequential; input: Tensor } {
  manualSeed(7);
  const model = new nn.Sequential(
    new nn.Flatten(), new nn.Linear(6, 8), new nn.GELU(), new nn.Linear(8, 8, { bias: false }), new nn.LeakyReLU(0.05),
    new nn.Dropout(0.3), new nn.Linear(8, 6), new nn.Tanh(), new nn.Linear(6, 5), new nn.Sigmoid(),
    new nn.Linear(5, 4), new nn.ReLU(), new nn.Linear(4, 3), new nn.LogSoftmax(-1),
  ).eval();
  return { model, input: randn([5, 2, 3]) };
}

/** A model of every ONNX-exportable layer, in each float dtype. */
export function onnxModel(dtype: DType): { model: nn.Sequential; inputShape: number[] } {
  manualSeed(dtype === 'float32' ? 11 : 12);
  const model = new nn.Sequential(
    new nn.Flatten(), new nn.Linear(12, 10, { dtype }), new nn.ReLU(), new nn.Linear(10, 10, { dtype }), new nn.GELU(),
    new nn.Linear(10, 8, { dtype, bias: false }), new nn.LeakyReLU(0.1), new nn.Dropout(0.5), new nn.Linear(8, 8, { dtype }),
    new nn.Tanh(), new nn.Linear(8, 6, { dtype }), new nn.Sigmoid(), new nn.Softmax(-1), new nn.LogSoftmax(1),
  );
  return { model, inputShape: [3, 4] };
}

export const TORCH_LAYOUT_FILE = 'nabla_torch_layout.safetensors';
export const onnxFile = (dtype: DType) => `nabla_all_layers_${dtype}.onnx`;

export function writeFixtures(dir = FIXTURES): void {
  const { model, input } = torchLayoutModel();
  fs.writeFileSync(path.join(dir, TORCH_LAYOUT_FILE), encodeModel(model, { layout: 'torch' }));
  const io = { input: input.toArray(), output: model.forward(input).toArray() };
  fs.writeFileSync(path.join(dir, 'nabla_torch_layout.json'), JSON.stringify(io) + '\n');
  for (const dtype of ['float32', 'float64'] as const) {
    const { model: m, inputShape } = onnxModel(dtype);
    fs.writeFileSync(path.join(dir, onnxFile(dtype)), encodeOnnx(m, { inputShape }));
  }
}
