import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/tensor.js';
import { accuracy, confusionMatrix, mae, mse, formatConfusionMatrix } from '../../src/train/metrics.js';
import { confusionMatrixSvg, trainingCurvesSvg } from '../../src/train/plots.js';

test('accuracy takes the argmax of each row', () => {
  const logits = tensor([
    [0.1, 2, 0.3],
    [5, 1, 0],
    [0, 0, 9],
    [1, 3, 2],
  ]);
  assert.equal(accuracy(logits, [1, 0, 2, 2]), 0.75);
});

test('confusion matrix counts [true][predicted]', () => {
  const m = confusionMatrix([0, 1, 1, 2, 2, 0], [0, 1, 2, 2, 2, 1], 3);
  assert.deepEqual(m, [
    [1, 0, 0],
    [1, 1, 0],
    [0, 1, 2],
  ]);
  assert.match(formatConfusionMatrix(m, ['a', 'b', 'c']), /^true\\pred/);
  assert.throws(() => confusionMatrix([3], [0], 3), /outside/);
});

test('mse and mae', () => {
  const p = tensor([[1], [2], [4]]);
  const y = tensor([[1], [0], [1]]);
  assert.equal(mse(p, y), (0 + 4 + 9) / 3);
  assert.equal(mae(p, y), (0 + 2 + 3) / 3);
});

test('SVG plots are well-formed documents with one polyline per series', () => {
  const svg = trainingCurvesSvg([
    { epoch: 1, lr: 0.1, seconds: 1, loss: 1, valLoss: 1.2, accuracy: 0.5, valAccuracy: 0.4 },
    { epoch: 2, lr: 0.1, seconds: 1, loss: 0.5, valLoss: 0.7, accuracy: 0.8, valAccuracy: 0.7 },
  ]);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal(svg.match(/<polyline/g)?.length, 4);
  const cm = confusionMatrixSvg(
    [
      [3, 1],
      [0, 2],
    ],
    ['x<y', 'b'],
  );
  assert.match(cm, /x&lt;y/);
  assert.equal(cm.match(/<rect x=/g)?.length, 4);
});
