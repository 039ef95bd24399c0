// Autograd semantics: accumulation, zeroGrad, noGrad, second derivatives, gradcheck's report.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { grad, gradcheck, isGradEnabled, nn, noGrad, optim, tensor } from '../src/index.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };

test('gradients accumulate across backward calls, as in PyTorch, until zeroGrad', () => {
  const lin = new nn.Linear(2, 1, { dtype: 'float64' });
  const x = tensor([[1, 2]], { dtype: 'float64' });
  lin.forward(x).sum().backward();
  const once = Array.from(lin.weight.grad!.data);
  assert.deepEqual(once, [1, 2]); // dL/dW = xᵀ·1
  lin.forward(x).sum().backward();
  assert.deepEqual(Array.from(lin.weight.grad!.data), [2, 4]);
  lin.zeroGrad();
  assert.equal(lin.weight.grad, null);
});

test('backward twice through one graph throws unless the first pass retains it (PyTorch too); with retainGraph it adds', () => {
  const w = tensor([1, 2], f64);
  const x = tensor([3, 4], { dtype: 'float64' });
  const loss = w.mul(x).sum();
  loss.backward();
  assert.throws(
    () => loss.backward(),
    /^Error: backward: trying to backward through the graph a second time \(the values (sum|mul) saved were freed by the first pass\); specify retainGraph: true in the first call/,
  );
  assert.deepEqual(Array.from(w.grad!.data), [3, 4], 'the refused pass added nothing');
  // A part of a freed graph is refused in another graph too.
  const y = w.mul(x);
  y.sum().backward();
  assert.throws(() => y.mul(2).sum().backward(), /second time \(the values mul saved/);
  assert.throws(() => grad(y.sum(), [w]), /^Error: grad: trying to backward through the graph a second time/);

  w.grad = null;
  const kept = w.mul(x).sum();
  kept.backward({ retainGraph: true });
  kept.backward({ retainGraph: true });
  kept.backward();
  assert.deepEqual(Array.from(w.grad!.data), [9, 12]);
  assert.throws(() => kept.backward(), /second time/);
  // grad() frees too unless told; createGraph retains by default (a second-order pass goes through it).
  const z = w.mul(x).sum();
  grad(z, [w], { retainGraph: true });
  grad(z, [w]);
  assert.throws(() => grad(z, [w]), /^Error: grad: trying to backward through the graph a second time/);
  const h = w.mul(w).sum();
  const [dw] = grad(h, [w], { createGraph: true });
  assert.deepEqual(Array.from(grad(h, [w])[0]!.data), [2, 4]);
  assert.deepEqual(Array.from(grad(dw!.sum(), [w])[0]!.data), [2, 2]);
});

test('a tensor used twice gets the sum of both paths', () => {
  const x = tensor([3], f64);
  x.mul(x).add(x).sum().backward(); // d/dx (x² + x) = 2x + 1
  assert.equal(x.grad!.item(), 7);
});

test('a gradient flowing to two leaves is copied, so modifying one .grad leaves the other alone', () => {
  const a = tensor([1], f64);
  const b = tensor([2], f64);
  a.add(b).sum().backward();
  a.grad!.data[0] = 100;
  assert.equal(b.grad!.item(), 1);
});

test('noGrad records no graph; backward on its result is an error that says why', () => {
  const x = tensor([1, 2], f64);
  const y = noGrad(() => {
    assert.equal(isGradEnabled(), false);
    return x.mul(2).sum();
  });
  assert.equal(isGradEnabled(), true);
  assert.equal(y.requiresGrad, false);
  assert.throws(() => y.backward(), /backward: the tensor \[\] does not require grad/);
});

test('backward on a non-scalar needs a gradient of the same shape', () => {
  const x = tensor([[1, 2]], f64);
  assert.throws(() => x.mul(2).backward(), /backward: tensor of shape \[1,2\] is not a scalar; pass a gradient/);
  assert.throws(
    () => x.mul(2).backward(tensor([1, 1], { dtype: 'float64' })),
    /gradient shape \[2\] does not match the tensor's shape \[1,2\]/,
  );
  x.mul(2).backward(tensor([[1, 10]], { dtype: 'float64' }));
  assert.deepEqual(Array.from(x.grad!.data), [2, 20]);
});

test('createGraph: d²/dx² tanh x = −2 tanh x (1 − tanh² x)', () => {
  for (const v of [-1.3, 0, 0.4, 2]) {
    const x = tensor([v], f64);
    x.tanh().sum().backward({ createGraph: true });
    const g = x.grad!;
    assert.ok(Math.abs(g.item() - (1 - Math.tanh(v) ** 2)) < 1e-14);
    x.grad = null;
    g.sum().backward();
    const t = Math.tanh(v);
    assert.ok(Math.abs(x.grad!.item() - -2 * t * (1 - t * t)) < 1e-14, `at ${v}: ${x.grad!.item()}`);
  }
});

test('createGraph: d²/dx² x³ = 6x, and the third derivative is 6', () => {
  const x = tensor([1.5], f64);
  x.pow(3).sum().backward({ createGraph: true });
  const d1 = x.grad!;
  assert.equal(d1.item(), 3 * 1.5 ** 2);
  x.grad = null;
  d1.sum().backward({ createGraph: true });
  const d2 = x.grad!;
  assert.equal(d2.item(), 6 * 1.5);
  x.grad = null;
  d2.sum().backward();
  assert.equal(x.grad!.item(), 6);
});

test('second derivatives of a small network pass gradcheck (gradient of the gradient)', () => {
  const w = tensor(
    [
      [0.3, -0.7],
      [0.5, 0.2],
    ],
    { dtype: 'float64' },
  );
  const report = gradcheck(
    (x) => {
      const wt = w.detach().requiresGrad_();
      return grad(x.matmul(wt).gelu().softmax().pick([1]).sum(), [wt], { createGraph: true })[0];
    },
    [tensor([[0.4, -1.1]], { dtype: 'float64' })],
  );
  assert.ok(report.ok);
});

test('gradcheck names the input, the element, analytic and numeric values on failure', () => {
  // x ⊙ detach(x) hides one path from backprop: analytic x, numeric 2x.
  const bad = (x: ReturnType<typeof tensor>) => x.mul(x.detach());
  assert.throws(
    () => gradcheck(bad, [tensor([1, 2, 3], { dtype: 'float64' })]),
    (e: Error) => {
      const m = /^gradcheck: input 0 \[3\], element 0: analytic gradient (\S+) but numeric (\S+) \(difference/.exec(
        e.message,
      );
      assert.ok(m, e.message);
      assert.ok(Math.abs(Number(m[2]) / Number(m[1]) - 2) < 1e-6, e.message);
      return true;
    },
  );
  const report = gradcheck(bad, [tensor([1, 2, 3])], { raise: false });
  assert.equal(report.ok, false);
  assert.equal(report.failures.length, 3);
  assert.ok(Math.abs(report.failures[2].numeric / report.failures[2].analytic - 2) < 1e-6);
});

test('grad() returns gradients for chosen inputs without touching .grad', () => {
  const x = tensor([2], f64);
  const y = tensor([5], f64);
  const [gx, gy] = grad(x.mul(x).mul(y).sum(), [x, y]);
  assert.equal(gx.item(), 2 * 2 * 5);
  assert.equal(gy.item(), 4);
  assert.equal(x.grad, null);
  assert.equal(y.grad, null);
  const z = tensor([1], f64);
  assert.throws(() => grad(x.mul(2).sum(), [z]), /grad: input 0 is not part of the output's graph/);
});

test('with createGraph each leaf still gets its own .grad, so later calls accumulate correctly', () => {
  const a = tensor([1, 2], f64);
  const b = tensor([3, 4], f64);
  const seed = tensor([1, 1], { dtype: 'float64' });
  a.add(b).backward(seed, { createGraph: true });
  assert.notEqual(a.grad, b.grad);
  a.mul(b).sum().backward(); // adds b to a.grad and a to b.grad
  assert.deepEqual(Array.from(a.grad!.data), [4, 5]);
  assert.deepEqual(Array.from(b.grad!.data), [2, 3]);
  assert.deepEqual(Array.from(seed.data), [1, 1]);
});

test('a leaf keeps its gradient without a copy only when nothing else can see that memory', () => {
  const buffers = (...ts: { grad: { data: { buffer: ArrayBufferLike } } | null }[]) =>
    ts.map((t) => t.grad!.data.buffer);
  // Same-shape add: one gradient tensor flows to both leaves (and was the add's own gradient).
  const a = tensor(
    [
      [1, 2],
      [3, 4],
    ],
    f64,
  );
  const b = tensor(
    [
      [5, 6],
      [7, 8],
    ],
    f64,
  );
  a.add(b).backward(
    tensor(
      [
        [1, 1],
        [1, 1],
      ],
      { dtype: 'float64' },
    ),
  );
  const [ba, bb] = buffers(a, b);
  assert.notEqual(ba, bb);
  // The caller's gradient, passed straight through a reshape (a view) to the leaf.
  const c = tensor([1, 2, 3, 4], f64);
  const g = tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: 'float64' },
  );
  c.reshape([2, 2]).backward(g);
  assert.notEqual(c.grad!.data.buffer, g.data.buffer);
  c.grad!.data[0] = 100;
  assert.equal(g.data[0], 1, "modifying .grad must not change the caller's gradient");
  // A matrix product's weight gradient is made fresh for that leaf: kept, and correct after a
  // second, accumulating backward (which writes it in place).
  const x = tensor([[1, 2]], { dtype: 'float64' });
  const w = tensor([[1], [1]], f64);
  const y = x.matmul(w);
  y.sum().backward({ retainGraph: true });
  y.sum().backward();
  assert.deepEqual(Array.from(w.grad!.data), [2, 4]);
  assert.deepEqual(Array.from(x.data), [1, 2], 'the forward input is untouched');
});

test('backward refuses an input written in place after the op used it, naming the op (PyTorch refuses it too)', () => {
  // The forward pass's weights give dL/dx = W·1; after an optimizer step they would give another.
  const lin = new nn.Linear(2, 1);
  const x = tensor([[1, 2]], { requiresGrad: true });
  const opt = new optim.SGD(lin.parameters(), { lr: 1 });
  lin.forward(x).sum().backward();
  const loss = lin.forward(x).sum();
  opt.step();
  assert.throws(
    () => loss.backward(),
    /^Error: backward of linear: its input 1 \[2,1\] was modified in place after linear used it/,
  );
  // Written through .data and marked: the same.
  const w = tensor([1, 2, 3], { requiresGrad: true });
  const y = w.mul(w).sum();
  w.data[0] = 5;
  w.markChanged();
  assert.throws(() => y.backward(), /^Error: backward of mul: its input 0 \[3\] was modified in place/);
  // Recomputed after the change, it runs.
  w.mul(w).sum().backward();
  assert.deepEqual([...w.grad!.data], [10, 4, 6]);
});
