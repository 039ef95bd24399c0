// Unflatten (the CNN's front: flat pixel rows → [N, C, H, W]) and the cnn builder: shapes, the
// gradient (a reshape back), model files (architecture checked on load), explain and ONNX.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { manualSeed, nn, noGrad, randn } from '../../src/index.js';
import { decodeModel, encodeModel, encodeOnnx, ModelFileError } from '../../src/io/index.js';
import { explainModel } from '../../src/nn/explain.js';
import { cnnLayers } from '../../src/nn/cnn.js';

test('Unflatten splits one axis and its gradient is the reshape back', () => {
  manualSeed(3);
  const x = randn([2, 12]).requiresGrad_();
  const y = new nn.Unflatten(1, [3, 2, 2]).forward(x);
  assert.deepEqual(y.shape, [2, 3, 2, 2]);
  assert.deepEqual(Array.from(y.data), Array.from(x.data));
  y.mul(y).sum().backward();
  assert.deepEqual(
    Array.from(x.grad!.data),
    Array.from(x.data, (v) => 2 * v),
  );
  assert.deepEqual(new nn.Unflatten(-1, [2, 6]).forward(randn([2, 12])).shape, [2, 2, 6]);
  assert.throws(
    () => new nn.Unflatten(1, [1, 28, 28]).forward(randn([2, 12])),
    /Unflatten\(1, \[1, 28, 28\]\): cannot unflatten input of shape \[2,12\] \(axis 1 must have 784 values\)/,
  );
  assert.throws(() => new nn.Unflatten(1, [0, 3]), /sizes must be positive integers/);
});

test('the CLI CNN: flat rows in, logits out; saved and loaded with the same outputs; bad Unflatten fields refused', () => {
  manualSeed(5);
  const model = nn.cnn({ imageShape: [1, 12, 12], outputs: 4, hidden: [8] });
  assert.equal(model.layers[0].label(), 'Unflatten(1, [1, 12, 12])');
  assert.equal(model.layers[model.layers.length - 3].label(), 'Linear(288→8)'); // 32 channels × 3 × 3
  // Two blocks of two convolutions, each with its BatchNorm2d and ReLU, then the pooling.
  assert.deepEqual(
    model.layers.slice(1, 15).map((l) => l.label()),
    [
      'Conv2d(1→16, 3×3)',
      'BatchNorm2d(16)',
      'ReLU',
      'Conv2d(16→16, 3×3)',
      'BatchNorm2d(16)',
      'ReLU',
      'MaxPool2d(2×2)',
      'Conv2d(16→32, 3×3)',
      'BatchNorm2d(32)',
      'ReLU',
      'Conv2d(32→32, 3×3)',
      'BatchNorm2d(32)',
      'ReLU',
      'MaxPool2d(2×2)',
    ],
  );
  const single = nn.cnn({ imageShape: [1, 12, 12], outputs: 4, channels: [32, 64], convsPerBlock: 1, hidden: [8] });
  assert.deepEqual(
    single.layers.slice(1, 9).map((l) => l.label()),
    [
      'Conv2d(1→32, 3×3)',
      'BatchNorm2d(32)',
      'ReLU',
      'MaxPool2d(2×2)',
      'Conv2d(32→64, 3×3)',
      'BatchNorm2d(64)',
      'ReLU',
      'MaxPool2d(2×2)',
    ],
  );
  assert.throws(
    () => nn.cnn({ imageShape: [1, 12, 12], outputs: 4, convsPerBlock: 0 }),
    /cnn: convsPerBlock must be a positive integer, got 0/,
  );
  model.eval();
  const x = randn([3, 144]);
  const want = noGrad(() => model.forward(x));
  assert.deepEqual(want.shape, [3, 4]);
  const loaded = decodeModel(encodeModel(model)).model;
  loaded.eval();
  assert.deepEqual(Array.from(noGrad(() => loaded.forward(x)).data), Array.from(want.data));

  const bytes = encodeModel(new nn.Sequential(new nn.Unflatten(1, [2, 2])));
  const text = new TextDecoder('latin1').decode(bytes);
  const bad = text.replace('[2,2]', '[2,0]'); // the sizes in the architecture's JSON
  assert.notEqual(bad, text);
  assert.throws(
    () => decodeModel(Uint8Array.from(bad, (c) => c.charCodeAt(0))),
    (e: unknown) =>
      e instanceof ModelFileError &&
      /Unflatten\.sizes is \[2,0\], expected a list of 1\.\.8 integers/.test((e as Error).message),
  );
});

test('explain follows the flat input through Unflatten into the convolutions', () => {
  const text = explainModel(cnnLayers({ imageShape: [1, 28, 28], outputs: 10 }), 64, 10, [784]);
  assert.match(text, /reshape {3}\[64×784\] → \[64×1×28×28\]/);
  assert.match(text, /dL\/dW = Xᵀ·dL\/dy {14}: \[9×50176\]·\[50176×16\] → \[9×16\]/);
  assert.match(text, /layer 17: Linear\(1568→128\)/);
});

test('the CNN exported to ONNX (Reshape, Conv, BatchNormalization, MaxPool) runs in onnxruntime-node within 1e-5', async () => {
  manualSeed(7);
  const model = nn.cnn({ imageShape: [2, 8, 8], outputs: 3, hidden: [6] });
  // A few training steps' worth of running statistics, then inference form.
  noGrad(() => model.forward(randn([4, 128])));
  model.eval();
  const session = await ort.InferenceSession.create(encodeOnnx(model, { inputShape: [128] }));
  for (const batch of [1, 5]) {
    const x = randn([batch, 128]);
    const want = noGrad(() => model.forward(x));
    const got = (await session.run({ input: new ort.Tensor('float32', Float32Array.from(x.data), [batch, 128]) }))
      .output;
    assert.deepEqual(got.dims, [batch, 3]);
    const d = Math.max(...Array.from(want.data, (v, i) => Math.abs(v - (got.data as Float32Array)[i])));
    assert.ok(d <= 1e-5, `batch ${batch}: max |onnxruntime − nabla| = ${d}`);
  }
});
