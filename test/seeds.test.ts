// The seeds' worked examples: each gradient equals the seed's closed form, computed here
// independently with plain loops.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, tensor, type Tensor } from '../src/index.js';

const f64 = { dtype: 'float64' as const };

function close(actual: Tensor | null, expected: number[][] | number[], tol = 1e-12): void {
  assert.ok(actual, 'gradient missing');
  const a = (actual.toArray() as number[] | number[][]).flat();
  const e = expected.flat();
  assert.equal(a.length, e.length);
  a.forEach((v, i) => assert.ok(Math.abs(v - e[i]) <= tol * (1 + Math.abs(e[i])), `element ${i}: ${v} vs ${e[i]}`));
}

const matT = (m: number[][]) => m[0].map((_, j) => m.map((r) => r[j]));
const matMul = (a: number[][], b: number[][]) =>
  a.map((r) => b[0].map((_, j) => r.reduce((s, v, k) => s + v * b[k][j], 0)));

test('a 2→3 Linear layer, one sample: dL/dx = dL/dy·Wᵀ, dL/dW = xᵀ·dL/dy, dL/db = dL/dy', () => {
  const W = [
    [0.1, -0.2, 0.3],
    [0.4, 0.5, -0.6],
  ];
  const b = [0.01, 0.02, 0.03];
  const x = [[1.5, -2]];
  const gy = [[0.7, -0.1, 0.2]]; // a given upstream gradient dL/dy
  const layer = new nn.Linear(2, 3, { dtype: 'float64' });
  layer.weight.data.set(W.flat());
  layer.bias!.data.set(b);
  const xt = tensor(x, { ...f64, requiresGrad: true });
  const y = layer.forward(xt);
  // y_j = Σ_i x_i w_ij + b_j, as the seed writes y0 = w00 x0 + w10 x1 + b0
  close(
    y,
    [0, 1, 2].map((j) => x[0][0] * W[0][j] + x[0][1] * W[1][j] + b[j]),
  );
  y.backward(tensor(gy, f64));
  close(xt.grad, matMul(gy, matT(W)));
  close(layer.weight.grad, matMul(matT(x), gy));
  close(layer.bias!.grad, gy[0]);
});

test('a Linear layer with a batch of two sums the bias gradient over the samples', () => {
  const layer = new nn.Linear(2, 3, { dtype: 'float64' });
  const x = [
    [1, 2],
    [3, -4],
  ];
  const gy = [
    [0.5, -1, 2],
    [0.25, 3, -2],
  ];
  layer.forward(tensor(x, f64)).backward(tensor(gy, f64));
  close(
    layer.bias!.grad,
    [0, 1, 2].map((j) => gy[0][j] + gy[1][j]),
  );
  close(layer.weight.grad, matMul(matT(x), gy));
});

test('a 3→1 layer with squared error, dL/dw = −2(y − ŷ)x, dL/db = −2(y − ŷ)', () => {
  const w = [0.2, -0.3, 0.5];
  const bias = 0.1;
  const x = [1, 2, 3];
  const target = 2;
  const layer = new nn.Linear(3, 1, { dtype: 'float64' });
  layer.weight.data.set(w);
  layer.bias!.data.set([bias]);
  const yhat = layer.forward(tensor([x], f64));
  const loss = nn.mseLoss(yhat, tensor([[target]], f64), { reduction: 'sum' }); // (y − ŷ)²
  loss.backward();
  const yh = x.reduce((s, v, i) => s + v * w[i], bias);
  assert.ok(Math.abs(loss.item() - (target - yh) ** 2) < 1e-12);
  close(
    layer.weight.grad,
    x.map((v) => [-2 * (target - yh) * v]),
  );
  close(layer.bias!.grad, [-2 * (target - yh)]);
});

test('a 3→1 layer, a batch of two with MSE, dL/dW = Xᵀ·dL/dŷ with dL/dŷ_i = −(2/N)(y_i − ŷ_i), dL/db = Σ_i dL/dŷ_i', () => {
  const w = [0.2, -0.3, 0.5];
  const bias = -0.4;
  const X = [
    [1, 2, 3],
    [-1, 0.5, 2],
  ];
  const Y = [1, -1];
  const layer = new nn.Linear(3, 1, { dtype: 'float64' });
  layer.weight.data.set(w);
  layer.bias!.data.set([bias]);
  const loss = nn.mseLoss(
    layer.forward(tensor(X, f64)),
    tensor(
      Y.map((v) => [v]),
      f64,
    ),
  );
  loss.backward();
  const yh = X.map((r) => r.reduce((s, v, i) => s + v * w[i], bias));
  const dyh = yh.map((v, i) => (-2 / 2) * (Y[i] - v));
  assert.ok(Math.abs(loss.item() - yh.reduce((s, v, i) => s + (Y[i] - v) ** 2, 0) / 2) < 1e-12);
  close(
    layer.weight.grad,
    matMul(
      matT(X),
      dyh.map((v) => [v]),
    ),
  );
  close(layer.bias!.grad, [dyh[0] + dyh[1]]);
});

test('two layers with a sigmoid between, gradients chained back by hand', () => {
  const W1 = [
    [0.1, -0.2],
    [0.3, 0.4],
    [-0.5, 0.6],
  ]; // 3→2
  const b1 = [0.05, -0.05];
  const W2 = [[0.7], [-0.8]]; // 2→1
  const b2 = [0.2];
  const X = [
    [1, 2, 3],
    [-1, 0.5, 2],
  ];
  const Y = [[1], [0]];
  const l1 = new nn.Linear(3, 2, { dtype: 'float64' });
  const l2 = new nn.Linear(2, 1, { dtype: 'float64' });
  l1.weight.data.set(W1.flat());
  l1.bias!.data.set(b1);
  l2.weight.data.set(W2.flat());
  l2.bias!.data.set(b2);
  const model = new nn.Sequential(l1, new nn.Sigmoid(), l2);
  const xt = tensor(X, { ...f64, requiresGrad: true });
  nn.mseLoss(model.forward(xt), tensor(Y, f64)).backward();

  // Forward by hand.
  const z1 = matMul(X, W1).map((r) => r.map((v, j) => v + b1[j]));
  const a1 = z1.map((r) => r.map((v) => 1 / (1 + Math.exp(-v))));
  const yh = matMul(a1, W2).map((r) => [r[0] + b2[0]]);
  // Backward by hand: dL/dŷ = (2/N)(ŷ − y); Linear 2: dW2 = a1ᵀ·dŷ, db2 = Σ dŷ, da1 = dŷ·W2ᵀ;
  // sigmoid: dz1 = da1 ⊙ σ(1−σ); Linear 1: dW1 = Xᵀ·dz1, db1 = Σ dz1, dX = dz1·W1ᵀ.
  const dyh = yh.map((r, i) => [(2 / 2) * (r[0] - Y[i][0])]);
  const da1 = matMul(dyh, matT(W2));
  const dz1 = da1.map((r, i) => r.map((v, j) => v * a1[i][j] * (1 - a1[i][j])));
  close(l2.weight.grad, matMul(matT(a1), dyh));
  close(l2.bias!.grad, [dyh[0][0] + dyh[1][0]]);
  close(l1.weight.grad, matMul(matT(X), dz1));
  close(
    l1.bias!.grad,
    [0, 1].map((j) => dz1[0][j] + dz1[1][j]),
  );
  close(xt.grad, matMul(dz1, matT(W1)));
});
