// PyTorch interop, against fixtures made by scripts/make_torch_io_fixtures.py (python3-torch):
// PyTorch's nn.Sequential loads here with layout 'torch' and matches PyTorch's outputs; a model
// saved here with layout 'torch' loaded in PyTorch (the script's committed verdict, for bytes that
// today's code still writes identically).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { noGrad, tensor, type NestedArray, type Tensor } from '../../src/index.js';
import type { Sequential } from '../../src/nn/sequential.js';
import { encodeModel, encodeOnnx, load, type ModelSpec } from '../../src/io/index.js';
import {
  FIXTURES,
  ONNX_FIXTURES,
  TORCH_CNN_FILE,
  TORCH_LAYOUT_FILE,
  onnxFile,
  torchCnnModel,
  torchLayoutModel,
} from './fixtures.js';
import { assertFileError, maxAbsDiff } from './helpers.js';

interface TorchCase {
  architecture: ModelSpec;
  input: NestedArray;
  output: NestedArray;
  torch: string;
}

const readJson = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as T;
const sha256 = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex');

test('a plain PyTorch file (float32, no nabla metadata) loads with layout torch and matches PyTorch', () => {
  const c = readJson<TorchCase>('torch_mlp_f32.json');
  const file = path.join(FIXTURES, 'torch_mlp_f32.safetensors');
  assertFileError(() => load(file, { layout: 'torch' }), /no architecture/);
  const { model } = load(file, { layout: 'torch', architecture: c.architecture });
  const y = noGrad(() => model.forward(tensor(c.input)));
  const expected = tensor(c.output);
  assert.deepEqual(y.shape, expected.shape);
  const d = maxAbsDiff(y.data, expected.data);
  assert.ok(d <= 1e-5, `max |nabla − torch| = ${d}`);
  // Without the option the file reads as nabla's [in, out] layout, which does not fit: an error, not garbage.
  assertFileError(() => load(file, { architecture: c.architecture }), /does not match/, '0.weight');
});

test('a PyTorch file with nabla.architecture rebuilds with no code (float64, GELU, LeakyReLU, no-bias Linear)', () => {
  const c = readJson<TorchCase>('torch_mlp_f64.json');
  const { model } = load(path.join(FIXTURES, 'torch_mlp_f64.safetensors'));
  assert.equal(model.dtype, 'float64');
  const y = noGrad(() => model.forward(tensor(c.input, { dtype: 'float64' })));
  const d = maxAbsDiff(y.data, tensor(c.output, { dtype: 'float64' }).data);
  assert.ok(d <= 1e-12, `max |nabla − torch| = ${d}`);
});

test('a PyTorch CNN (plain file, float32: conv, trained batch norm, pools, linear) loads with layout torch and gives its eval outputs', () => {
  const c = readJson<TorchCase>('torch_cnn_f32.json');
  const file = path.join(FIXTURES, 'torch_cnn_f32.safetensors');
  const { model } = load(file, { layout: 'torch', architecture: c.architecture });
  assert.deepEqual(model.layers.map((l) => l.label()).slice(0, 4), [
    'Conv2d(1→4, 3×3)',
    'BatchNorm2d(4)',
    'ReLU',
    'MaxPool2d(2×2)',
  ]);
  // The running statistics are PyTorch's (4 training steps), not the initial 0 and 1.
  const bn = model.layers[1] as unknown as { runningMean: Tensor; runningVar: Tensor; numBatchesTracked: Tensor };
  assert.equal(bn.numBatchesTracked.data[0], 4);
  assert.ok(Array.from(bn.runningMean.data).some((v) => Math.abs(v) > 0.01));
  const y = noGrad(() => model.forward(tensor(c.input)));
  const expected = tensor(c.output);
  assert.deepEqual(y.shape, expected.shape);
  // Absolute 1e-5 on outputs of magnitude < 1 (float32, summed in another order than PyTorch's: 6e-8 today).
  const d = maxAbsDiff(y.data, expected.data);
  assert.ok(d <= 1e-5, `max |nabla − torch| = ${d}`);
  // In training mode the model uses batch statistics: different outputs (eval mode is what load gives).
  const train = noGrad(() => (model as Sequential).train().forward(tensor(c.input)));
  assert.ok(maxAbsDiff(train.data, expected.data) > 1e-3);
});

test('a PyTorch CNN with nabla.architecture (float64) rebuilds with no code and matches PyTorch within 1e-12', () => {
  const c = readJson<TorchCase>('torch_cnn_f64.json');
  const { model } = load(path.join(FIXTURES, 'torch_cnn_f64.safetensors'));
  assert.equal(model.dtype, 'float64');
  const y = noGrad(() => model.forward(tensor(c.input, { dtype: 'float64' })));
  const d = maxAbsDiff(y.data, tensor(c.output, { dtype: 'float64' }).data);
  assert.ok(d <= 1e-12, `max |nabla − torch| = ${d}`);
});

/** The committed outputs and today's, within float32 rounding (1e-6, a tenth of the verdict's tolerance). */
function assertSameOutputs(committed: NestedArray, now: Tensor): void {
  const want = tensor(committed);
  assert.deepEqual(want.shape, now.shape);
  const d = maxAbsDiff(now.data, want.data);
  assert.ok(d <= 1e-6, `today's outputs differ from the committed ones by ${d}: run npm run fixtures:io`);
}

type TorchVerdict = { file: string; sha256: string; loaded: boolean; max_abs_diff: number; 'match_1e-5': boolean };

interface Verdict {
  torch: string;
  torch_layout: TorchVerdict;
  torch_layout_cnn: TorchVerdict;
  onnx_checker: { onnx: string; files: Record<string, { sha256: string; valid: boolean }> };
}

test('a model saved with layout torch loads in PyTorch (committed verdict for the bytes we write today)', () => {
  const verdict = readJson<Verdict>('torch_verdict.json');
  const committed = fs.readFileSync(path.join(FIXTURES, TORCH_LAYOUT_FILE));
  const { model, input } = torchLayoutModel();
  assert.equal(
    sha256(encodeModel(model, { layout: 'torch' })),
    sha256(committed),
    'the committed file is stale: run npm run fixtures:io',
  );
  assert.equal(
    verdict.torch_layout.sha256,
    sha256(committed),
    'the verdict is for another file: run npm run fixtures:io',
  );
  assert.equal(verdict.torch_layout.loaded, true);
  assert.ok(
    verdict.torch_layout.max_abs_diff <= 1e-5,
    `PyTorch's outputs differ by ${verdict.torch_layout.max_abs_diff}`,
  );
  // The outputs PyTorch was compared with are the ones nabla computes now (to float32 rounding:
  // backends round differently, and the file was written on wasm).
  const io = readJson<{ input: NestedArray; output: NestedArray }>('nabla_torch_layout.json');
  assert.deepEqual(io.input, input.toArray());
  assertSameOutputs(
    io.output,
    noGrad(() => model.forward(input)),
  );
});

test('a CNN saved with layout torch loads in PyTorch, strict (committed verdict for the bytes we write today)', () => {
  const verdict = readJson<Verdict>('torch_verdict.json');
  const committed = fs.readFileSync(path.join(FIXTURES, TORCH_CNN_FILE));
  const { model, input } = torchCnnModel();
  assert.equal(
    sha256(encodeModel(model, { layout: 'torch' })),
    sha256(committed),
    'the committed file is stale: run npm run fixtures:io',
  );
  assert.equal(
    verdict.torch_layout_cnn.sha256,
    sha256(committed),
    'the verdict is for another file: run npm run fixtures:io',
  );
  assert.equal(verdict.torch_layout_cnn.loaded, true);
  assert.ok(
    verdict.torch_layout_cnn.max_abs_diff <= 1e-5,
    `PyTorch's outputs differ by ${verdict.torch_layout_cnn.max_abs_diff}`,
  );
  const io = readJson<{ input: NestedArray; output: NestedArray }>('nabla_torch_cnn.json');
  assert.deepEqual(io.input, input.toArray());
  assertSameOutputs(
    io.output,
    noGrad(() => model.forward(input)),
  );
});

test('python3-onnx accepted the ONNX exports we write today (committed verdict, full check)', () => {
  const verdict = readJson<Verdict>('torch_verdict.json');
  for (const [fixture, make] of Object.entries(ONNX_FIXTURES)) {
    for (const dtype of ['float32', 'float64'] as const) {
      const { model, inputShape } = make(dtype);
      const bytes = encodeOnnx(model, { inputShape });
      const name = onnxFile(dtype, fixture as keyof typeof ONNX_FIXTURES);
      assert.equal(
        sha256(bytes),
        sha256(fs.readFileSync(path.join(FIXTURES, name))),
        `${name} is stale: run npm run fixtures:io`,
      );
      assert.deepEqual(verdict.onnx_checker.files[name], { sha256: sha256(bytes), valid: true });
    }
  }
  assert.equal(Object.keys(verdict.onnx_checker.files).length, 2 * Object.keys(ONNX_FIXTURES).length);
});
