// Every optimizer, with non-default hyper-parameters, follows PyTorch's 6-step trajectory on
// the same problem: L = mean((tanh(xW + b) − t)²), with b left out of the first step so that
// per-parameter step counts (Adam's bias correction) are exercised.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, optim, tensor, type DType } from '../src/index.js';
import { assertClose, fixture, TOL } from './helpers/compare.js';

interface OptimCase {
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop';
  options: Record<string, unknown>;
  dtype: DType;
  x: number[];
  target: number[];
  weight: number[];
  bias: number[];
  steps: { weight: number[]; bias: number[] }[];
}

const make = {
  SGD: (p: nn.Parameter[], o: Record<string, unknown>) => new optim.SGD(p, o as unknown as optim.SGDOptions),
  Adam: (p: nn.Parameter[], o: Record<string, unknown>) => new optim.Adam(p, o),
  AdamW: (p: nn.Parameter[], o: Record<string, unknown>) => new optim.AdamW(p, o),
  RMSprop: (p: nn.Parameter[], o: Record<string, unknown>) => new optim.RMSprop(p, o),
};

const { cases } = fixture<OptimCase>('optim.json');

for (const c of cases) {
  test(`${c.optimizer} ${JSON.stringify(c.options)} (${c.dtype}) follows PyTorch for 6 steps`, () => {
    const w = new nn.Parameter(tensor(c.weight, { shape: [3, 2], dtype: c.dtype }));
    const b = new nn.Parameter(tensor(c.bias, { dtype: c.dtype }));
    const x = tensor(c.x, { shape: [4, 3], dtype: c.dtype });
    const t = tensor(c.target, { shape: [4, 2], dtype: c.dtype });
    const opt = make[c.optimizer]([w, b], c.options);
    c.steps.forEach((expected, i) => {
      opt.zeroGrad();
      // Step 1 leaves the bias out (no gradient), as the fixture script does.
      x.matmul(w)
        .add(i > 0 ? b : b.detach())
        .tanh()
        .sub(t)
        .pow(2)
        .mean()
        .backward();
      opt.step();
      assertClose(w.data, expected.weight, TOL[c.dtype], `step ${i + 1} weight`);
      assertClose(b.data, expected.bias, TOL[c.dtype], `step ${i + 1} bias`);
    });
  });
}

test('optimizer state survives stateDict/loadStateDict: the resumed run continues identically', () => {
  const run = (resumeAt: number | null) => {
    const w = new nn.Parameter(
      tensor(
        [
          [0.5, -0.2],
          [0.1, 0.3],
        ],
        { dtype: 'float64' },
      ),
    );
    let opt = new optim.Adam([w], { lr: 0.1 });
    for (let i = 0; i < 5; i++) {
      if (i === resumeAt) {
        const saved = opt.stateDict();
        assert.ok(saved.buffers[0].expAvg instanceof Float64Array, 'buffers stay typed arrays in the parameter dtype');
        opt = new optim.Adam([w], { lr: 0.1 });
        opt.loadStateDict(saved);
      }
      opt.zeroGrad();
      w.mul(w).sum().backward();
      opt.step();
    }
    return Array.from(w.data);
  };
  assert.deepEqual(run(3), run(null));
});

test('optimizers reject bad arguments with a clear message', () => {
  const w = new nn.Parameter(tensor([1, 2]));
  assert.throws(() => new optim.SGD([w], { lr: -1 }), /SGD: invalid learning rate -1/);
  assert.throws(() => new optim.SGD([], { lr: 0.1 }), /SGD: got an empty parameter list/);
  assert.throws(() => new optim.SGD([w], { lr: 0.1, nesterov: true }), /Nesterov momentum requires/);
  assert.throws(() => new optim.Adam([w], { betas: [1.5, 0.9] }), /Adam: invalid beta 1.5/);
  assert.throws(() => new optim.Adam([tensor([1])]), /parameter 0 does not require grad/);
});

test('an optimizer refuses a parameter given twice, and a gradient of another shape or dtype', () => {
  const w = tensor([1, 2, 3], { requiresGrad: true });
  assert.throws(
    () => new optim.SGD([w, w], { lr: 0.1 }),
    /^Error: SGD: parameter 1 is parameter 0 again \(the same memory\)$/,
  );
  const opt = new optim.Adam([w], { lr: 0.1 });
  w.grad = tensor([1, 2]);
  assert.throws(() => opt.step(), /^Error: Adam: parameter 0 float32 \[3\] has a gradient float32 \[2\]/);
  w.grad = tensor([1, 2, 3], { dtype: 'float64' });
  assert.throws(() => opt.step(), /^Error: Adam: parameter 0 float32 \[3\] has a gradient float64 \[3\]/);
  assert.deepEqual([...w.data], [1, 2, 3]);
});
