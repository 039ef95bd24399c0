// predict in the model's dtype, and the metric sums fit and evaluate share (metrics.ts addMetricSums).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor.js';
import { getBackend } from '../../src/backend/index.js';
import { manualSeed, random } from '../../src/random.js';
import { Linear, ReLU } from '../../src/nn/layers/index.js';
import { Sequential } from '../../src/nn/sequential.js';
import { mseLoss } from '../../src/nn/losses.js';
import { SGD } from '../../src/optim/sgd.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { fit } from '../../src/train/fit.js';
import { evaluate, predict } from '../../src/train/evaluate.js';
import { addMetricSums } from '../../src/train/metrics.js';

const randomData = (n: number, dtype: 'float32' | 'float64') => {
  const d = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = random() * 2 - 1;
  return d;
};

for (const dtype of ['float32', 'float64'] as const) {
  test(`predict of a ${dtype} model returns ${dtype} outputs, equal to one forward pass`, () => {
    manualSeed(3);
    const model = new Sequential(new Linear(3, 5, { dtype }), new ReLU(), new Linear(5, 2, { dtype }));
    const x = new Tensor(randomData(7 * 3, dtype), [7, 3], dtype);
    const out = predict(model, x, 3); // batches of 3, 3 and 1
    assert.equal(out.dtype, dtype);
    assert.ok(out.data instanceof (dtype === 'float64' ? Float64Array : Float32Array));
    assert.deepEqual(out.shape, [7, 2]);
    model.eval();
    const whole = model.forward(x).data;
    if (getBackend() !== 'native') {
      assert.deepEqual(Array.from(out.data), Array.from(whole));
      return;
    }
    // On native a row's bits depend on the rows around it (OpenBLAS's edge kernels, and gemv for
    // the batch of one: native/README.md), so the batches agree with the whole to rounding.
    const eps = dtype === 'float64' ? 1e-14 : 1e-6;
    whole.forEach((w, i) =>
      assert.ok(
        Math.abs(out.data[i] - w) <= eps * (1 + Math.abs(w)),
        `predict [${i}]: ${out.data[i]} vs one pass ${w}`,
      ),
    );
  });
}

test('fit and evaluate report the same metrics on the same data and weights', async () => {
  manualSeed(4);
  const model = new Linear(3, 2, { dtype: 'float64' });
  const data = new TensorDataset(
    new Tensor(randomData(12 * 3, 'float64'), [12, 3], 'float64'),
    new Tensor(randomData(12 * 2, 'float64'), [12, 2], 'float64'),
  );
  // lr 0: the weights the training metrics are computed with are the ones validation sees.
  const { history } = await fit(model, {
    data,
    validation: data,
    loss: mseLoss,
    optimizer: new SGD(model.parameters(), { lr: 0 }),
    epochs: 1,
    batchSize: 5,
    metrics: ['mse', 'mae'],
  });
  // (fit batches by 5, evaluate by 256: the sums differ in order, hence the tolerance.)
  const v = await evaluate(model, data, { loss: mseLoss, metrics: ['mse', 'mae'] });
  for (const m of ['mse', 'mae'] as const) {
    assert.ok(Math.abs(history[0][m] - v[m]!) < 1e-12, `${m}: fit ${history[0][m]}, evaluate ${v[m]}`);
    assert.ok(Math.abs(history[0][`val${m[0].toUpperCase()}${m.slice(1)}`] - v[m]!) < 1e-12);
  }
  // mse is the mean over samples of the per-sample mean squared error, i.e. of all elements.
  const out = model.forward(data.inputs);
  let se = 0;
  for (let i = 0; i < out.size; i++) se += (out.data[i] - data.targets.data[i]) ** 2;
  assert.ok(Math.abs(v.mse! - se / out.size) < 1e-12);
});

test('addMetricSums counts correct predictions and per-sample errors, each metric once', () => {
  const logits = new Tensor(Float32Array.from([0, 1, 2, 0, 1, 0]), [3, 2]);
  const labels = new Tensor(Float32Array.from([1, 0, 1]), [3]);
  const sums: Record<string, number> = { accuracy: 1 };
  addMetricSums(sums, ['accuracy', 'accuracy'], logits, labels);
  assert.equal(sums.accuracy, 1 + 2);
  const pred = new Tensor(Float32Array.from([1, 2, 3, 4]), [2, 2]);
  const target = new Tensor(Float32Array.from([1, 0, 0, 4]), [2, 2]);
  const s2: Record<string, number> = {};
  addMetricSums(s2, ['mse', 'mae'], pred, target);
  assert.deepEqual(s2, { mse: (0 + 4 + 9 + 0) / 2, mae: (0 + 2 + 3 + 0) / 2 });
});
