// What the op-table fixtures cannot hold (JSON has no NaN) or do not ask: comparisons and argmax
// at NaN as torch gives them (values printed by torch 1.13), their results being constants
// without gradient, and numel.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argmax, gt, tensor } from '../src/index.js';

test('argmax and argmin count NaN as the extreme, as torch', () => {
  const x = tensor([
    [1, NaN, 3],
    [2, 5, 5],
  ]);
  assert.deepEqual([...x.argmax(1).data], [1, 1]); // torch: tensor([1, 1])
  assert.deepEqual([...x.argmin(1).data], [1, 0]); // torch: tensor([1, 0])
  assert.deepEqual([...tensor([1, NaN]).argmin().data], [1]);
  assert.deepEqual(x.argmax().shape, []);
  assert.deepEqual(argmax(x, 0, true).shape, [1, 3]);
});

test('comparisons with NaN are false, ne true; their results carry no gradient', () => {
  const a = tensor([NaN, 1], { requiresGrad: true });
  assert.deepEqual([...a.ne(tensor([NaN, 1])).data], [1, 0]);
  assert.deepEqual([...a.ge(0).data], [0, 1]);
  assert.deepEqual([...a.eq(a).data], [0, 1]);
  const y = gt(a, 0);
  assert.equal(y.requiresGrad, false);
  assert.equal(y.dtype, 'float32');
  assert.throws(() => y.sum().backward(), /does not require grad/);
});

test('numel is the element count, as torch', () => {
  assert.equal(tensor([[1, 2, 3]]).numel(), 3);
  assert.equal(tensor(5).numel(), 1);
});
