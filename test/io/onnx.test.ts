// ONNX export, run by onnxruntime-node: for every supported layer, in both float dtypes, the
// exported model's outputs equal nabla's within 1e-5 for two batch sizes (the batch axis is
// dynamic). Unsupported layers are named; inspect lists ONNX and safetensors files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { manualSeed, nn, noGrad, randn, type DType, type Tensor } from '../../src/index.js';
import { encodeModel, encodeOnnx, exportOnnx, inspect, inspectBytes, ModelFileError, ONNX_OPSET } from '../../src/io/index.js';
import { onnxModel } from './fixtures.js';
import { maxAbsDiff } from './helpers.js';

const layers = (dtype: DType): [string, nn.Module[], number[]][] => {
  const lin = (i: number, o: number, bias = true) => new nn.Linear(i, o, { dtype, bias });
  return [
    ['Linear', [lin(5, 4)], [5]],
    ['Linear without bias', [lin(5, 4, false)], [5]],
    ['ReLU', [lin(5, 4), new nn.ReLU()], [5]],
    ['Sigmoid', [lin(5, 4), new nn.Sigmoid()], [5]],
    ['Tanh', [lin(5, 4), new nn.Tanh()], [5]],
    ['LeakyReLU', [lin(5, 4), new nn.LeakyReLU(0.2)], [5]],
    ['GELU', [lin(5, 4), new nn.GELU()], [5]],
    ['Softmax', [lin(5, 4), new nn.Softmax(-1)], [5]],
    ['Softmax over axis 1 of 3', [new nn.Softmax(1)], [3, 4]],
    ['LogSoftmax', [lin(5, 4), new nn.LogSoftmax(1)], [5]],
    ['Flatten', [new nn.Flatten(), lin(6, 3)], [2, 3]],
    ['Flatten of middle axes', [new nn.Flatten(1, 2), lin(6, 3)], [2, 3, 6]],
    ['Flatten including the batch axis', [new nn.Flatten(0)], [2, 3]],
    ['Dropout', [lin(5, 4), new nn.Dropout(0.5)], [5]],
    ['Linear on a rank-3 input', [lin(4, 2)], [3, 4]],
    ['no layers', [], [3]],
  ];
};

async function runOnnx(bytes: Uint8Array, x: Tensor): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(bytes);
  const input = new ort.Tensor(x.dtype, x.data, x.shape as number[]);
  return (await session.run({ input })).output;
}

for (const dtype of ['float32', 'float64'] as const) {
  test(`every supported layer runs in onnxruntime-node and matches nabla within 1e-5 (${dtype})`, async () => {
    manualSeed(21);
    const cases = [...layers(dtype), ['all layers together', onnxModel(dtype).model.layers, onnxModel(dtype).inputShape] as const];
    for (const [name, ls, inputShape] of cases) {
      const model = new nn.Sequential(...ls);
      const bytes = encodeOnnx(model, { inputShape, dtype });
      for (const batch of [1, 7]) {
        const x = randn([batch, ...inputShape], { dtype });
        const expected = noGrad(() => model.eval().forward(x));
        const out = await runOnnx(bytes, x);
        assert.deepEqual(out.dims, expected.shape, `${name}, batch ${batch}: shape`);
        assert.equal(out.type, dtype, `${name}: dtype`);
        const d = maxAbsDiff(out.data as Float32Array, expected.data);
        assert.ok(d <= 1e-5, `${name}, batch ${batch}: max |onnxruntime − nabla| = ${d}`);
      }
    }
  });
}

test('exportOnnx writes the file atomically; inspect lists it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-onnx-'));
  const file = path.join(dir, 'model.onnx');
  manualSeed(22);
  exportOnnx(new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2, { bias: false })), file, { inputShape: [4] });
  assert.deepEqual(fs.readdirSync(dir), ['model.onnx']);
  const listing = inspect(file);
  assert.match(listing, new RegExp(`ONNX model, IR version 7, producer nabla, opset ${ONNX_OPSET}`));
  assert.match(listing, /input: {2}input {2}FLOAT {2}\[batch,4\]/);
  assert.match(listing, /output: output {2}FLOAT {2}\[batch,2\]/);
  assert.match(listing, /MatMul\(input, 0\.weight\) → matmul_0/);
  assert.match(listing, /Relu\(add_1\) → relu_2/);
  assert.match(listing, /0\.weight {2}FLOAT {2}\[4,3\]/);
  assert.match(listing, /2\.weight {2}FLOAT {2}\[3,2\]/);
  assert.doesNotMatch(listing, /2\.bias/);
  fs.rmSync(dir, { recursive: true });
});

test('inspect lists a safetensors model: architecture, metadata, tensors with dtypes and shapes', () => {
  const model = new nn.Sequential(new nn.Linear(4, 3, { dtype: 'float64' }), new nn.LeakyReLU(0.1), new nn.Linear(3, 2, { dtype: 'float64' }));
  const listing = inspectBytes(encodeModel(model, { metadata: { classes: ['a', 'b'] } }), 'm.safetensors');
  assert.match(listing, /^m\.safetensors: safetensors, 4 tensors, 23 values/);
  assert.match(listing, /architecture: float64: Linear\(4→3\) → LeakyReLU\(0\.1\) → Linear\(3→2\)/);
  assert.match(listing, /nabla\.metadata: \{"classes":\["a","b"\]\}/);
  assert.match(listing, /0\.weight {2}F64 {2}\[4,3\]/);
  assert.match(listing, /2\.bias {4}F64 {2}\[2\]/);
});

test('unsupported layers, bad input shapes and non-Sequential models are named', () => {
  class Square extends nn.Module {
    forward(x: Tensor): Tensor { return x.mul(x); }
  }
  assert.throws(() => encodeOnnx(new nn.Sequential(new nn.Linear(2, 2), new Square()), { inputShape: [2] }), /exportOnnx: layer 1 \(Square\) is not supported/);
  assert.throws(() => encodeOnnx(new nn.Linear(2, 2), { inputShape: [2] }), /exportOnnx: expected a Sequential, got Linear/);
  assert.throws(() => encodeOnnx(new nn.Sequential(new nn.Linear(2, 2)), { inputShape: [3] }), /exportOnnx: layer 0 \(Linear\(2→2\)\) rejects input shape \[batch,3\]/);
  assert.throws(() => encodeOnnx(new nn.Sequential(new nn.ReLU()), { inputShape: [0] }), /inputShape must list positive integers/);
});

test('exporting keeps the model in training mode if it was', () => {
  const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Dropout(0.5));
  encodeOnnx(model, { inputShape: [2] });
  assert.ok(model.modules().every((m) => m.training));
});

test('a truncated ONNX file is a ModelFileError in inspect', () => {
  const bytes = encodeOnnx(new nn.Sequential(new nn.Linear(3, 2)), { inputShape: [3] });
  for (const cut of [1, 5, 20, bytes.length - 3]) {
    assert.throws(() => inspectBytes(bytes.subarray(0, cut), 'cut.onnx'), (e) => e instanceof ModelFileError && e.file === 'cut.onnx');
  }
});
