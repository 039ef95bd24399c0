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
import {
  encodeModel,
  encodeOnnx,
  exportOnnx,
  inspect,
  inspectBytes,
  ModelFileError,
  ONNX_OPSET,
} from '../../src/io/index.js';
import { ONNX_FIXTURES, trained } from './fixtures.js';
import { maxAbsDiff } from './helpers.js';

const layers = (dtype: DType): [string, nn.Module<unknown>[], number[]][] => {
  const lin = (i: number, o: number, bias = true) => new nn.Linear(i, o, { dtype, bias });
  const conv = (i: number, o: number, k: number | [number, number], options: nn.ConvLayerOptions = {}) =>
    new nn.Conv2d(i, o, k, { dtype, ...options });
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
    ['Conv2d', [conv(3, 4, 3)], [3, 7, 6]],
    [
      'Conv2d with padding, stride, dilation',
      [conv(3, 4, [3, 2], { padding: [1, 2], stride: [2, 1], dilation: [1, 2] })],
      [3, 9, 8],
    ],
    ['Conv2d with groups, no bias', [conv(4, 6, 3, { groups: 2, bias: false, padding: 1 })], [4, 5, 5]],
    ['Conv2d depthwise', [conv(3, 3, 3, { groups: 3 })], [3, 6, 6]],
    ["Conv2d padding 'same', even kernel", [conv(2, 3, [4, 2], { padding: 'same', dilation: [1, 3] })], [2, 7, 8]],
    ['Conv2d then ReLU (fused)', [conv(2, 3, 3), new nn.ReLU()], [2, 5, 5]],
    ['Conv1d', [new nn.Conv1d(3, 4, 3, { dtype, padding: 2, stride: 2, dilation: 2 })], [3, 11]],
    ["Conv1d padding 'same', groups", [new nn.Conv1d(4, 2, 4, { dtype, padding: 'same', groups: 2 })], [4, 9]],
    ['MaxPool2d', [new nn.MaxPool2d(2)], [3, 6, 7]],
    [
      'MaxPool2d with padding, stride, dilation',
      [new nn.MaxPool2d([3, 2], { padding: [1, 1], stride: [2, 1], dilation: [2, 1] })],
      [2, 9, 7],
    ],
    ['MaxPool2d ceilMode', [new nn.MaxPool2d(3, { stride: 2, ceilMode: true })], [2, 8, 7]],
    ['MaxPool2d ceilMode with padding', [new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true })], [2, 6, 9]],
    ['AvgPool2d', [new nn.AvgPool2d(2)], [3, 6, 7]],
    ['AvgPool2d with padding', [new nn.AvgPool2d(3, { stride: 2, padding: 1 })], [2, 7, 6]],
    [
      'AvgPool2d countIncludePad false',
      [new nn.AvgPool2d([3, 2], { stride: [2, 1], padding: [1, 1], countIncludePad: false })],
      [2, 7, 6],
    ],
    ['AvgPool2d ceilMode', [new nn.AvgPool2d(3, { stride: 2, ceilMode: true })], [2, 8, 7]],
    ['AvgPool2d ceilMode with padding', [new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true })], [2, 6, 9]],
    [
      'AvgPool2d ceilMode, countIncludePad false',
      [new nn.AvgPool2d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false })],
      [2, 6, 9],
    ],
    ['AdaptiveAvgPool2d(1)', [new nn.AdaptiveAvgPool2d(1), new nn.Flatten()], [3, 5, 4]],
    ['BatchNorm1d after training steps', [lin(5, 4), trained(new nn.BatchNorm1d(4, { dtype }), [4])], [5]],
    [
      'BatchNorm1d on [N,C,L], momentum 0.3, eps 1e-3',
      [trained(new nn.BatchNorm1d(3, { dtype, momentum: 0.3, eps: 1e-3 }), [3, 5])],
      [3, 5],
    ],
    ['BatchNorm1d without affine', [trained(new nn.BatchNorm1d(3, { dtype, affine: false }), [3])], [3]],
    ['BatchNorm2d after training steps', [trained(new nn.BatchNorm2d(3, { dtype }), [3, 4, 5])], [3, 4, 5]],
    ['Dropout2d', [conv(2, 3, 3), new nn.Dropout2d(0.5)], [2, 5, 5]],
    [
      'LSTM, 2 layers, bidirectional, batchFirst, then Linear',
      [new nn.LSTM(3, 4, { dtype, numLayers: 2, bidirectional: true, batchFirst: true, dropout: 0.5 }), lin(8, 2)],
      [5, 3],
    ],
    ['LSTM without bias', [new nn.LSTM(3, 4, { dtype, bias: false, batchFirst: true })], [5, 3]],
    [
      'GRU, 2 layers, bidirectional, time-major',
      [new nn.GRU(3, 4, { dtype, numLayers: 2, bidirectional: true })],
      [2, 3],
    ],
    ['GRU, batchFirst', [new nn.GRU(3, 4, { dtype, batchFirst: true }), lin(4, 2)], [5, 3]],
    ['RNN relu, bidirectional', [new nn.RNN(3, 4, { dtype, nonlinearity: 'relu', bidirectional: true })], [2, 3]],
    ['RNN tanh, 2 layers, no bias', [new nn.RNN(3, 4, { dtype, numLayers: 2, bias: false, batchFirst: true })], [5, 3]],
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
    const fixtures = Object.entries(ONNX_FIXTURES).map(
      ([name, make]) => [`fixture ${name}`, make(dtype).model.layers, make(dtype).inputShape] as const,
    );
    const cases = [...layers(dtype), ...fixtures];
    const unrunnable: string[] = [];
    for (const [name, ls, inputShape] of cases) {
      const model = new nn.Sequential(...ls);
      const bytes = encodeOnnx(model, { inputShape, dtype });
      for (const batch of [1, 7]) {
        const x = randn([batch, ...inputShape], { dtype });
        const expected = noGrad(() => model.eval().forward(x));
        let out: ort.Tensor;
        try {
          out = await runOnnx(bytes, x);
        } catch (e) {
          // onnxruntime's CPU provider has no double kernels for these ops (ONNX allows double;
          // onnx.checker accepts the float64 fixtures, see torch.test.ts).
          if (
            dtype === 'float64' &&
            /Could not find an implementation for (Conv|AveragePool|GlobalAveragePool)\(/.test((e as Error).message)
          ) {
            unrunnable.push(name);
            break;
          }
          throw e;
        }
        assert.deepEqual(out.dims, expected.shape, `${name}, batch ${batch}: shape`);
        assert.equal(out.type, dtype, `${name}: dtype`);
        const d = maxAbsDiff(out.data as Float32Array, expected.data);
        assert.ok(d <= 1e-5, `${name}, batch ${batch}: max |onnxruntime − nabla| = ${d}`);
      }
    }
    // Every float32 case ran; in float64 only those with a convolution or average pooling did not.
    assert.deepEqual(
      unrunnable,
      dtype === 'float32' ? [] : cases.map(([n]) => n).filter((n) => /Conv|AvgPool|Dropout2d|fixture cnn/.test(n)),
    );
  });
}

test('exportOnnx writes the file atomically; inspect lists it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-onnx-'));
  const file = path.join(dir, 'model.onnx');
  manualSeed(22);
  exportOnnx(new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2, { bias: false })), file, {
    inputShape: [4],
  });
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
  const model = new nn.Sequential(
    new nn.Linear(4, 3, { dtype: 'float64' }),
    new nn.LeakyReLU(0.1),
    new nn.Linear(3, 2, { dtype: 'float64' }),
  );
  const listing = inspectBytes(encodeModel(model, { metadata: { classes: ['a', 'b'] } }), 'm.safetensors');
  assert.match(listing, /^m\.safetensors: safetensors, 4 tensors, 23 values/);
  assert.match(listing, /architecture: float64: Linear\(4→3\) → LeakyReLU\(0\.1\) → Linear\(3→2\)/);
  assert.match(listing, /nabla\.metadata: \{"classes":\["a","b"\]\}/);
  assert.match(listing, /0\.weight {2}F64 {2}\[4,3\]/);
  assert.match(listing, /2\.bias {4}F64 {2}\[2\]/);
});

test('unsupported layers, bad input shapes and non-Sequential models are named', () => {
  class Square extends nn.Module {
    forward(x: Tensor): Tensor {
      return x.mul(x);
    }
  }
  assert.throws(
    () => encodeOnnx(new nn.Sequential(new nn.Linear(2, 2), new Square()), { inputShape: [2] }),
    /exportOnnx: layer 1 \(Square\) is not supported/,
  );
  assert.throws(
    () => encodeOnnx(new nn.Linear(2, 2), { inputShape: [2] }),
    /exportOnnx: expected a Sequential, got Linear/,
  );
  assert.throws(
    () => encodeOnnx(new nn.Sequential(new nn.Linear(2, 2)), { inputShape: [3] }),
    /exportOnnx: layer 0 \(Linear\(2→2\)\) rejects input shape \[batch,3\]/,
  );
  assert.throws(
    () => encodeOnnx(new nn.Sequential(new nn.ReLU()), { inputShape: [0] }),
    /inputShape must list positive integers/,
  );
});

test('exporting keeps the model in training mode if it was', () => {
  const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Dropout(0.5));
  encodeOnnx(model, { inputShape: [2] });
  assert.ok(model.modules().every((m) => m.training));
});

test('a truncated ONNX file is a ModelFileError in inspect', () => {
  const bytes = encodeOnnx(new nn.Sequential(new nn.Linear(3, 2)), { inputShape: [3] });
  for (const cut of [1, 5, 20, bytes.length - 3]) {
    assert.throws(
      () => inspectBytes(bytes.subarray(0, cut), 'cut.onnx'),
      (e) => e instanceof ModelFileError && e.file === 'cut.onnx',
    );
  }
});

test('pooling with ceilMode that drops a window PyTorch drops (and ONNX keeps) is refused, naming the layer', () => {
  const refuse = (layer: nn.Module, inputShape: number[], re: RegExp) =>
    assert.throws(() => encodeOnnx(new nn.Sequential(layer), { inputShape }), re);
  refuse(
    new nn.MaxPool2d(2, { stride: 2, padding: 1, ceilMode: true }),
    [1, 5, 5],
    /exportOnnx: MaxPool2d\(2×2\) with ceilMode on an input of height 5 \(padding 1, stride 2\) gives 3 outputs, but ONNX's MaxPool with ceil_mode gives 4/,
  );
  refuse(
    new nn.AvgPool2d([1, 2], { stride: [1, 3], ceilMode: true }),
    [1, 3, 6],
    /exportOnnx: AvgPool2d\(1×2\) with ceilMode on an input of width 6 \(padding 0, stride 3\) gives 2 outputs, but ONNX's AveragePool with ceil_mode gives 3/,
  );
  // The same layers export on inputs where no window is dropped (onnxruntime agrees: the per-layer test above).
  encodeOnnx(new nn.Sequential(new nn.MaxPool2d(2, { stride: 2, padding: 1, ceilMode: true })), {
    inputShape: [1, 6, 6],
  });
  encodeOnnx(new nn.Sequential(new nn.AvgPool2d([1, 2], { stride: [1, 3], ceilMode: true })), {
    inputShape: [1, 3, 7],
  });
  assert.throws(
    () => encodeOnnx(new nn.Sequential(new nn.AdaptiveAvgPool2d([2, 1])), { inputShape: [1, 4, 4] }),
    /exportOnnx: AdaptiveAvgPool2d\(2×1\) has no ONNX form/,
  );
  const bn = new nn.BatchNorm2d(2, { trackRunningStats: false });
  assert.throws(
    () => encodeOnnx(new nn.Sequential(bn), { inputShape: [2, 3, 3] }),
    /exportOnnx: BatchNorm2d\(2\) keeps no running statistics/,
  );
});
