// Module behaviour: parameter naming, state dicts, train/eval, layers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, nn, ones, tensor, zeros } from '../src/index.js';
import { fixture } from './helpers/compare.js';

interface BceCase {
  op: string;
  inputs: { values: number[] }[];
  output: { values: number[] };
  upstream: number[];
  grads: number[][];
}

const mlp = () =>
  new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(3, 2, { bias: false }));

test('Sequential names parameters as PyTorch does, and exposes its layers', () => {
  const m = mlp();
  assert.deepEqual(
    m.namedParameters().map(([n, p]) => `${n}:${p.shape}`),
    ['0.weight:4,3', '0.bias:3', '3.weight:3,2'],
  );
  assert.equal(m.layers.length, 4);
  assert.ok(m.layers[0] instanceof nn.Linear);
  assert.equal(m.parameters().length, 3);
});

test('stateDict/loadStateDict copy values and refuse mismatches by name', () => {
  manualSeed(1);
  const a = mlp();
  manualSeed(2);
  const b = mlp();
  b.loadStateDict(a.stateDict());
  assert.deepEqual(Array.from(b.parameters()[0].data), Array.from(a.parameters()[0].data));
  assert.throws(() => b.loadStateDict({}), /missing 0.weight, 0.bias, 3.weight/);
  assert.throws(() => b.loadStateDict({ ...a.stateDict(), extra: zeros([1]) }), /unexpected extra/);
  assert.throws(
    () => b.loadStateDict({ ...a.stateDict(), '0.bias': zeros([4]) }),
    /0.bias has shape \[4\], the model expects \[3\]/,
  );
});

test('Dropout zeroes about p of the elements and rescales in training, and is the identity in eval', () => {
  manualSeed(3);
  const d = new nn.Dropout(0.25);
  const y = d.forward(ones([10000]));
  const zeros = y.data.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / 10000 - 0.25) < 0.02);
  assert.ok(y.data.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
  const m = new nn.Sequential(d);
  m.eval();
  assert.equal(d.training, false);
  const x = ones([5]);
  assert.equal(m.forward(x), x);
  m.train();
  assert.equal(d.training, true);
});

test('Linear initialisers: He uniform bound √(6/in) by default, Glorot √(6/(in+out)), zero bias', () => {
  manualSeed(4);
  const he = new nn.Linear(600, 300);
  const gl = new nn.Linear(600, 300, { init: 'glorotUniform' });
  const maxAbs = (d: ArrayLike<number>) => Array.from(d).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(maxAbs(he.weight.data) <= Math.sqrt(6 / 600) && maxAbs(he.weight.data) > 0.95 * Math.sqrt(6 / 600));
  assert.ok(maxAbs(gl.weight.data) <= Math.sqrt(6 / 900) && maxAbs(gl.weight.data) > 0.95 * Math.sqrt(6 / 900));
  assert.equal(maxAbs(he.bias!.data), 0);
  assert.throws(() => new nn.Linear(0, 3), /Linear: inFeatures must be a positive integer, got 0/);
});

test('Flatten, Softmax and LogSoftmax layers', () => {
  const x = tensor([
    [
      [1, 2],
      [3, 4],
    ],
  ]);
  assert.deepEqual(new nn.Flatten().forward(x).shape, [1, 4]);
  const p = new nn.Softmax().forward(tensor([[0, Math.log(3)]]));
  assert.ok(Math.abs(p.data[1] - 0.75) < 1e-6);
  const lp = new nn.LogSoftmax(0).forward(tensor([[0], [Math.log(3)]]));
  assert.ok(Math.abs(lp.data[1] - Math.log(0.75)) < 1e-6);
});

test('losses reduce as PyTorch: mean, sum, none', () => {
  const a = tensor([
    [1, 2],
    [3, 4],
  ]);
  const b = tensor([
    [1, 0],
    [0, 0],
  ]);
  assert.equal(nn.mseLoss(a, b).item(), (0 + 4 + 9 + 16) / 4);
  assert.equal(nn.mseLoss(a, b, { reduction: 'sum' }).item(), 29);
  assert.deepEqual(nn.mseLoss(a, b, { reduction: 'none' }).toArray(), [
    [0, 4],
    [9, 16],
  ]);
  assert.throws(() => nn.mseLoss(a, b, { reduction: 'avg' as nn.Reduction }), /mseLoss: unknown reduction 'avg'/);
});

test("the seeds' network learns: loss falls by an order of magnitude", async () => {
  manualSeed(5);
  const x = tensor([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const y = tensor([[0], [1], [1], [0]]);
  const model = new nn.Sequential(
    new nn.Linear(2, 8, { init: 'glorotUniform' }),
    new nn.Sigmoid(),
    new nn.Linear(8, 1),
  );
  const { SGD } = await import('../src/optim/index.js');
  const opt = new SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });
  const losses: number[] = [];
  for (let i = 0; i < 2000; i++) {
    opt.zeroGrad();
    const loss = nn.mseLoss(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  assert.ok(losses[1999] < losses[0] / 10, `loss ${losses[0]} → ${losses[1999]}`);
});

test("bce at probabilities of exactly 0 and 1 has PyTorch's finite gradient, not NaN", () => {
  // PyTorch 1.13's values: the op table's binaryCrossEntropy sample at p = [0, 1, 0.5, 0.3]
  // (test/fixtures/ops.json, from scripts/make_torch_fixtures.py).
  const c = fixture<BceCase>('ops.json').cases.find(
    (k) => k.op === 'binaryCrossEntropy' && k.inputs[0].values.join() === '0,1,0.5,0.3',
  );
  assert.ok(c, 'the fixture has the sample at p = [0, 1, 0.5, 0.3]');
  const p = tensor(c.inputs[0].values, { dtype: 'float64', requiresGrad: true });
  const y = tensor(c.inputs[1].values, { dtype: 'float64' });
  const loss = nn.bce(p, y, { reduction: 'none' });
  loss.data.forEach((v, i) => assert.ok(Math.abs(v - c.output.values[i]) < 1e-12, `loss ${i}: ${v}`));
  loss.backward(tensor(c.upstream, { dtype: 'float64' }));
  const expectGrad = c.grads[0];
  p.grad!.data.forEach((v, i) =>
    assert.ok(Math.abs(v - expectGrad[i]) <= 1e-9 * Math.abs(expectGrad[i]) + 1e-12, `grad ${i}: ${v}`),
  );
});
