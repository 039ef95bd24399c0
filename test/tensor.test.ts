// Tensor creation, the seeded PRNG, and the errors of bad input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, eye, full, manualSeed, matmul, nn, ones, rand, randn, tensor, zeros } from '../src/index.js';
import { fillBernoulli, random } from '../src/random.js';

test('tensor() from nested arrays and TypedArrays, with shape and dtype', () => {
  const t = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, 'float32');
  assert.ok(t.data instanceof Float32Array);
  assert.deepEqual(t.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const d = tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] });
  assert.equal(d.dtype, 'float64');
  assert.deepEqual(d.toArray(), [
    [1, 2],
    [3, 4],
  ]);
  assert.equal(tensor(7).item(), 7);
  assert.deepEqual(tensor(7).shape, []);
  assert.throws(() => tensor([[1, 2], [3]]), /tensor: ragged nested array: length 1 at depth 1, expected 2/);
  assert.throws(() => tensor([1, 2, 3], { shape: [2, 2] }), /3 values cannot have shape \[2,2\]/);
  assert.throws(() => tensor([1, 2]).item(), /item: tensor of shape \[2\] has 2 elements, expected 1/);
});

test('zeros, ones, full, arange, eye', () => {
  assert.deepEqual(zeros([2, 2]).toArray(), [
    [0, 0],
    [0, 0],
  ]);
  assert.deepEqual(ones([3], { dtype: 'float64' }).toArray(), [1, 1, 1]);
  assert.deepEqual(full([2], 2.5).toArray(), [2.5, 2.5]);
  assert.deepEqual(arange(4).toArray(), [0, 1, 2, 3]);
  assert.deepEqual(arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
  assert.deepEqual(eye(2).toArray(), [
    [1, 0],
    [0, 1],
  ]);
  assert.throws(() => zeros([2, -1]), /sizes must be non-negative integers/);
});

test('detach shares data but leaves the graph', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  const d = y.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.gradFn, null);
  assert.equal(d.data, y.data);
});

test('manualSeed: the same seed gives the same draws, initial weights and dropout masks', () => {
  const draw = () => {
    manualSeed(42);
    const lin = new nn.Linear(5, 4);
    const drop = new nn.Dropout(0.5);
    return [rand([3]).toArray(), randn([3]).toArray(), Array.from(lin.weight.data), drop.forward(ones([8])).toArray()];
  };
  const a = draw();
  assert.deepEqual(draw(), a);
  manualSeed(43);
  assert.notDeepEqual(rand([3]).toArray(), a[0]);
});

test('fillBernoulli draws what random() < p draws, value by value, and leaves the PRNG where they would', () => {
  for (const p of [0, 0.1, 0.5, 0.9]) {
    manualSeed(7);
    const want = Float64Array.from({ length: 10_001 }, () => (random() < p ? 0 : 2));
    const next = random();
    manualSeed(7);
    const got = new Float64Array(10_001);
    fillBernoulli(got, p, 2);
    assert.deepEqual(got, want, `p ${p}`);
    assert.equal(random(), next, `p ${p}: the draw after`);
  }
});

test('manualSeed uses all 53 bits of a seed and refuses fractions', () => {
  manualSeed(1);
  const a = rand([4]).toArray();
  manualSeed(1 + 2 ** 32);
  assert.notDeepEqual(rand([4]).toArray(), a);
  manualSeed(-1);
  assert.notDeepEqual(rand([4]).toArray(), a);
  assert.throws(() => manualSeed(1.5), /manualSeed: seed must be an integer within ±\(2\^53 − 1\), got 1.5/);
  assert.throws(() => manualSeed(2 ** 60), /manualSeed: seed must be an integer/);
});

test('randn has mean ≈ 0 and variance ≈ 1; rand lies in [0, 1)', () => {
  manualSeed(1);
  const n = randn([20000], { dtype: 'float64' });
  const mean = n.mean().item();
  const variance = n.sub(mean).pow(2).mean().item();
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
  const u = rand([10000]);
  assert.ok(u.max().item() < 1 && -u.neg().max().item() >= 0);
});

test('ops name themselves and both shapes on bad input', () => {
  assert.throws(() => matmul(zeros([32, 100]), zeros([784, 128])), {
    message: 'matmul: [32,100] @ [784,128]: inner dimensions 100 and 784 differ',
  });
  assert.throws(
    () => zeros([2, 3]).add(zeros([4, 3])),
    /add: shapes \[2,3\] and \[4,3\] cannot be broadcast: axis 0 has sizes 2 and 4/,
  );
  assert.throws(
    () => zeros([2]).mul(zeros([2], { dtype: 'float64' })),
    /mul: dtype mismatch: float32 \[2\] and float64 \[2\]/,
  );
  assert.throws(() => zeros([2, 3]).sum(2), /sum: axis 2 is out of range for a tensor of rank 2/);
  assert.throws(() => zeros([2, 3]).reshape([4, 2]), /reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,2\]/);
  assert.throws(() => zeros([2, 3]).permute([0, 0]), /permute: \[0,0\] is not a permutation/);
  assert.throws(() => zeros([3]).matmul(zeros([3, 1])), /matmul: \[3\] @ \[3,1\]: both inputs need at least 2 axes/);
});

test('losses and layers name themselves on bad input', () => {
  assert.throws(() => new nn.Linear(784, 128).forward(zeros([32, 100])), {
    message: 'Linear(784→128): input has 100 features, expected 784 (input shape [32,100])',
  });
  assert.throws(
    () => new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(2, 1)).forward(zeros([5, 4])),
    /Sequential layer 2: Linear\(2→1\): input has 3 features, expected 2/,
  );
  assert.throws(
    () => nn.crossEntropy(zeros([2, 3]), [0, 3]),
    /crossEntropy: label 3 at index 1 is not a class index in \[0, 2\]/,
  );
  assert.throws(() => nn.crossEntropy(zeros([2, 3]), [0, 1.5]), /label 1.5 at index 1 is not a class index/);
  assert.throws(() => nn.crossEntropy(zeros([2, 3]), [0]), /got 1 labels for 2 rows/);
  assert.throws(
    () => nn.mseLoss(zeros([2, 1]), zeros([2])),
    /mseLoss: input shape \[2,1\] and target shape \[2\] differ/,
  );
  assert.throws(
    () => nn.bce(full([2], 1.5), zeros([2])),
    /bce: input must be probabilities in \[0, 1\]; element 0 is 1.5/,
  );
  assert.throws(
    () => new nn.Linear(4, 2).forward(zeros([1, 4], { dtype: 'float64' })),
    /input is float64 but the layer's weights are float32/,
  );
});
