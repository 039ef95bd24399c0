import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/tensor.js';
import { getRngState, manualSeed } from '../../src/random.js';
import { randomSplit, TensorDataset, type Dataset } from '../../src/data/dataset.js';
import { DataLoader } from '../../src/data/loader.js';
import { bundledMnist, bundledMnistSplit } from '../../src/data/mnist.js';
import { randomShift } from '../../src/data/augment.js';

const ten = () =>
  new TensorDataset(
    tensor(Array.from({ length: 10 }, (_, i) => [i, 10 * i])),
    tensor(Array.from({ length: 10 }, (_, i) => i % 3)),
  );

test('TensorDataset gives rows; a plain Dataset is collated sample by sample', () => {
  const d = ten();
  assert.equal(d.length, 10);
  const [x, y] = d.get(4);
  assert.deepEqual(x.toArray(), [4, 40]);
  assert.equal(y.item(), 1);
  assert.throws(() => d.get(10), /out of range/);
  assert.throws(() => new TensorDataset(tensor([[1], [2]]), tensor([1])), /same first axis/);
  const plain: Dataset = { length: 3, get: (i) => [tensor([i, -i]), tensor(i)] };
  const [bx, by] = new DataLoader(plain, { batchSize: 3 })[Symbol.iterator]().next().value!;
  assert.deepEqual(bx.toArray(), [
    [0, -0],
    [1, -1],
    [2, -2],
  ]);
  assert.deepEqual(by.toArray(), [0, 1, 2]);
});

test('DataLoader batches in order, keeps or drops the last short batch', () => {
  const batches = [...new DataLoader(ten(), { batchSize: 4 })];
  assert.deepEqual(
    batches.map(([x]) => x.shape[0]),
    [4, 4, 2],
  );
  assert.deepEqual(batches[2][0].toArray(), [
    [8, 80],
    [9, 90],
  ]);
  const dropped = new DataLoader(ten(), { batchSize: 4, dropLast: true });
  assert.equal(dropped.length, 2);
  assert.deepEqual(
    [...dropped].map(([x]) => x.shape[0]),
    [4, 4],
  );
  assert.throws(() => new DataLoader(ten(), { batchSize: 0 }), /positive integer/);
});

test('shuffling is a permutation drawn from the seeded PRNG', () => {
  const order = (seed: number) => {
    manualSeed(seed);
    return [...new DataLoader(ten(), { batchSize: 3, shuffle: true })].flatMap(([x]) =>
      (x.toArray() as number[][]).map((r) => r[0]),
    );
  };
  const a = order(5);
  assert.deepEqual(
    [...a].sort((p, q) => p - q),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.deepEqual(order(5), a);
  assert.notDeepEqual(order(6), a);
});

test('randomSplit: disjoint subsets covering everything; a seed leaves the global PRNG alone', () => {
  manualSeed(1);
  const before = getRngState();
  const [a, b] = randomSplit(ten(), [7, 3], { seed: 9 });
  assert.deepEqual(getRngState(), before);
  assert.deepEqual(
    [...a.indices, ...b.indices].sort((p, q) => p - q),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  const [c] = randomSplit(ten(), [0.7, 0.3], { seed: 9 });
  assert.deepEqual(c.indices, a.indices);
  assert.throws(() => randomSplit(ten(), [5, 4]), /summing to 10/);
});

test('bundled MNIST: 10,000 digits, a fixed disjoint 8,000/2,000 split', () => {
  const all = bundledMnist();
  assert.equal(all.length, 10000);
  assert.deepEqual(all.inputs.shape, [10000, 784]);
  let lo = Infinity,
    hi = -Infinity;
  for (const v of all.inputs.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  assert.ok(lo === 0 && hi <= 1 && hi > 0.99);
  const counts = new Array(10).fill(0);
  for (const v of all.targets.data) counts[v]++;
  assert.ok(
    counts.every((c) => c > 800 && c < 1200),
    `class counts ${counts}`,
  );
  const { train, test: held } = bundledMnistSplit();
  assert.equal(train.length, 8000);
  assert.equal(held.length, 2000);
  assert.equal(new Set([...train.indices, ...held.indices]).size, 10000);
  assert.deepEqual(bundledMnistSplit().test.indices, held.indices);
});

test('randomShift moves each image by at most maxShift pixels and fills with zeros', () => {
  const img = new Float32Array(25);
  img[12] = 1; // the centre of a 5×5 image
  manualSeed(2);
  const out = randomShift(tensor(Array.from({ length: 20 }, () => Array.from(img))), 5, 5, 1);
  for (let i = 0; i < 20; i++) {
    const row = Array.from(out.data.subarray(i * 25, i * 25 + 25));
    const at = row.indexOf(1);
    assert.equal(
      row.reduce((a, b) => a + b, 0),
      1,
    );
    assert.ok(Math.abs(Math.floor(at / 5) - 2) <= 1 && Math.abs((at % 5) - 2) <= 1);
  }
  // Shifting a corner pixel out of the frame loses it.
  const corner = new Float32Array(25);
  corner[0] = 1;
  manualSeed(2);
  const moved = randomShift(tensor(Array.from({ length: 50 }, () => Array.from(corner))), 5, 5, 1);
  assert.ok(Array.from(moved.data).reduce((a, b) => a + b, 0) < 50);
});

test('randomShift moves every channel of an image by the same shift, on flat rows and on [N,C,H,W]', () => {
  // Two channels of a 4×4 image, each with one pixel at (1, 2): after the shift they stay aligned.
  const one = new Float32Array(32);
  one[1 * 4 + 2] = 1;
  one[16 + 1 * 4 + 2] = 2;
  const rows = tensor(Array.from({ length: 30 }, () => Array.from(one)));
  manualSeed(4);
  const flat = randomShift(rows, 4, 4, 1);
  manualSeed(4);
  const images = randomShift(rows.reshape([30, 2, 4, 4]), 4, 4, 1);
  assert.deepEqual(images.shape, [30, 2, 4, 4]);
  assert.deepEqual(Array.from(images.data), Array.from(flat.data));
  for (let i = 0; i < 30; i++) {
    const a = Array.from(flat.data.subarray(i * 32, i * 32 + 16));
    const b = Array.from(flat.data.subarray(i * 32 + 16, i * 32 + 32));
    assert.deepEqual(
      b,
      a.map((v) => 2 * v),
    );
    assert.equal(a.indexOf(1) >= 0, true);
  }
  assert.throws(
    () => randomShift(tensor([[1, 2, 3]]), 2, 2, 1),
    /expected rows of C·2·2 values or images \[N, C, 2, 2\], got shape \[1, 3\]/,
  );
  const f64 = randomShift(tensor([[1, 0, 0, 0]], { dtype: 'float64' }), 2, 2, 0);
  assert.equal(f64.dtype, 'float64');
});
