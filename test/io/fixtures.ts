// Models whose files are committed under test/fixtures/io and checked by PyTorch and python3-onnx
// (scripts/make_torch_io_fixtures.py). The tests regenerate the bytes from these makers and
// compare them with the committed files, so the committed verdicts apply to today's code.
// Write them with `npm run fixtures:io`. Importing this module has no side effects.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getBackend, manualSeed, nn, noGrad, randn, setBackend, type DType, type Tensor } from '../../src/index.js';
import { encodeModel, encodeOnnx } from '../../src/io/index.js';

/** test/fixtures/io in the source tree (this file runs from dist/test/io). */
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/io');

/** A model of every layer type, for the torch-layout file PyTorch must load. */
export function torchLayoutModel(): { model: nn.Sequential; input: Tensor } {
  manualSeed(7);
  const model = new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(6, 8),
    new nn.GELU(),
    new nn.Linear(8, 8, { bias: false }),
    new nn.LeakyReLU(0.05),
    new nn.Dropout(0.3),
    new nn.Linear(8, 6),
    new nn.Tanh(),
    new nn.Linear(6, 5),
    new nn.Sigmoid(),
    new nn.Linear(5, 4),
    new nn.ReLU(),
    new nn.Linear(4, 3),
    new nn.LogSoftmax(-1),
  ).eval();
  return { model, input: randn([5, 2, 3]) };
}

/** A CNN of every CNN layer type and option PyTorch shares, for the torch-layout file PyTorch must load (load_state_dict strict). */
export function torchCnnModel(): { model: nn.Sequential; input: Tensor } {
  manualSeed(8);
  const model = new nn.Sequential(
    new nn.Conv2d(2, 4, [4, 2], { padding: 'same', dilation: [1, 2], groups: 2 }),
    trained(new nn.BatchNorm2d(4), [4, 9, 10]),
    new nn.ReLU(),
    new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }), // [4,5,6]
    new nn.Conv2d(4, 6, 3, { padding: 1, bias: false }), // [6,5,6]
    new nn.AvgPool2d(2, { padding: 1, countIncludePad: false }), // [6,3,4]
    new nn.AdaptiveAvgPool2d([2, 3]),
    new nn.Dropout2d(0.2),
    new nn.Flatten(2), // [6,6]
    new nn.Conv1d(6, 4, 3, { padding: 'same', stride: 1 }),
    trained(new nn.BatchNorm1d(4, { momentum: 0.3 }), [4, 6]),
    new nn.Flatten(),
    new nn.Linear(24, 5),
    trained(new nn.BatchNorm1d(5, { affine: false, eps: 1e-3 }), [5]),
    new nn.Tanh(),
    new nn.Linear(5, 3),
  ).eval();
  return { model, input: randn([3, 2, 9, 10]) };
}

/** A model of every ONNX-exportable layer, in each float dtype. */
export function onnxModel(dtype: DType): { model: nn.Sequential; inputShape: number[] } {
  manualSeed(dtype === 'float32' ? 11 : 12);
  const model = new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear(12, 10, { dtype }),
    new nn.ReLU(),
    new nn.Linear(10, 10, { dtype }),
    new nn.GELU(),
    new nn.Linear(10, 8, { dtype, bias: false }),
    new nn.LeakyReLU(0.1),
    new nn.Dropout(0.5),
    new nn.Linear(8, 8, { dtype }),
    new nn.Tanh(),
    new nn.Linear(8, 6, { dtype }),
    new nn.Sigmoid(),
    new nn.Softmax(-1),
    new nn.LogSoftmax(1),
  );
  return { model, inputShape: [3, 4] };
}

/**
 * A batch norm layer with random γ, β after three training steps on shifted, scaled data, so its
 * running statistics are far from their initial 0 and 1.
 */
export function trained<M extends nn.BatchNorm1d | nn.BatchNorm2d>(bn: M, sampleShape: readonly number[]): M {
  const dtype = bn.runningMean!.dtype;
  if (bn.weight) bn.weight.data.set(randn([bn.numFeatures], { dtype }).data.map((v) => 1 + 0.5 * v));
  if (bn.bias) bn.bias.data.set(randn([bn.numFeatures], { dtype }).data);
  bn.train();
  // The committed files were written with these statistics computed on wasm; backends sum in
  // other orders (native), so they are computed there on every machine.
  const was = getBackend();
  setBackend('wasm');
  try {
    noGrad(() => {
      for (let step = 0; step < 3; step++)
        bn.forward(
          randn([6, ...sampleShape], { dtype })
            .mul(3)
            .add(2),
        );
    });
  } finally {
    setBackend(was);
  }
  return bn;
}

/** A small CNN: conv → BN → ReLU → pool → conv → BN → ReLU → pool → dropout → flatten → linear → relu → linear. */
export function cnnModel(dtype: DType): { model: nn.Sequential; inputShape: number[] } {
  manualSeed(dtype === 'float32' ? 13 : 14);
  const model = new nn.Sequential(
    new nn.Conv2d(1, 4, 3, { padding: 1, dtype }),
    trained(new nn.BatchNorm2d(4, { dtype }), [4, 12, 12]),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(4, 8, 3, { padding: 1, dtype }),
    trained(new nn.BatchNorm2d(8, { dtype }), [8, 6, 6]),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Dropout2d(0.25),
    new nn.Flatten(),
    new nn.Linear(72, 16, { dtype }),
    new nn.ReLU(),
    new nn.Linear(16, 10, { dtype }),
  );
  return { model, inputShape: [1, 12, 12] };
}

/**
 * The CNN layers' options in one model, for onnx.checker's full check of every attribute form:
 * 'same' with an even kernel, dilation, groups, ceil mode with padding, countIncludePad false,
 * Conv1d and BatchNorm1d on [N,C,L], batch norm without affine.
 */
export function cnnOptionsModel(dtype: DType): { model: nn.Sequential; inputShape: number[] } {
  manualSeed(dtype === 'float32' ? 15 : 16);
  const model = new nn.Sequential(
    new nn.Conv2d(2, 4, [4, 2], { padding: 'same', dilation: [1, 2], groups: 2, dtype }), // [4,9,10]
    trained(new nn.BatchNorm2d(4, { dtype, affine: false, momentum: 0.2 }), [4, 9, 10]),
    new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }), // [4,5,6]
    new nn.Conv2d(4, 4, 3, { stride: 2, padding: [1, 0], groups: 4, bias: false, dtype }),
    new nn.ReLU(), // [4,3,2]
    new nn.AvgPool2d(2, { stride: 1, padding: 1, ceilMode: true, countIncludePad: false }), // [4,4,3]
    new nn.Flatten(2),
    new nn.Conv1d(4, 6, 3, { padding: 'same', dilation: 2, dtype }), // [6,12]
    trained(new nn.BatchNorm1d(6, { dtype, eps: 1e-3 }), [6, 12]),
    new nn.Flatten(),
    new nn.Linear(72, 3, { dtype }),
  );
  return { model, inputShape: [2, 9, 10] };
}

export const TORCH_LAYOUT_FILE = 'nabla_torch_layout.safetensors';
export const TORCH_CNN_FILE = 'nabla_torch_cnn.safetensors';
/** The ONNX fixtures: a model of every MLP layer, the CNN, the CNN options; each in both float dtypes. */
export const ONNX_FIXTURES = { all_layers: onnxModel, cnn: cnnModel, cnn_options: cnnOptionsModel } as const;
export const onnxFile = (dtype: DType, name: keyof typeof ONNX_FIXTURES = 'all_layers') =>
  `nabla_${name}_${dtype}.onnx`;

export function writeFixtures(dir = FIXTURES): void {
  const { model, input } = torchLayoutModel();
  fs.writeFileSync(path.join(dir, TORCH_LAYOUT_FILE), encodeModel(model, { layout: 'torch' }));
  const io = { input: input.toArray(), output: model.forward(input).toArray() };
  fs.writeFileSync(path.join(dir, 'nabla_torch_layout.json'), JSON.stringify(io) + '\n');
  const cnn = torchCnnModel();
  fs.writeFileSync(path.join(dir, TORCH_CNN_FILE), encodeModel(cnn.model, { layout: 'torch' }));
  const cnnIo = { input: cnn.input.toArray(), output: cnn.model.forward(cnn.input).toArray() };
  fs.writeFileSync(path.join(dir, 'nabla_torch_cnn.json'), JSON.stringify(cnnIo) + '\n');
  for (const [name, make] of Object.entries(ONNX_FIXTURES)) {
    for (const dtype of ['float32', 'float64'] as const) {
      const { model: m, inputShape } = make(dtype);
      fs.writeFileSync(
        path.join(dir, onnxFile(dtype, name as keyof typeof ONNX_FIXTURES)),
        encodeOnnx(m, { inputShape }),
      );
    }
  }
}
