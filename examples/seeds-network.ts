// The seeds' own network: two Linear layers with a sigmoid between them, mean squared error,
// plain gradient descent. The data: 64 points of y = sin(πx₁)·x₂ + 0.5·x₁, built here.

import { manualSeed, nn, optim, tensor } from '../src/index.js';

manualSeed(1);
const N = 64;
const xs: number[][] = [];
const ys: number[][] = [];
for (let i = 0; i < N; i++) {
  const x1 = (i % 8) / 3.5 - 1;
  const x2 = Math.floor(i / 8) / 3.5 - 1;
  xs.push([x1, x2]);
  ys.push([Math.sin(Math.PI * x1) * x2 + 0.5 * x1]);
}
const x = tensor(xs); // [64, 2]
const y = tensor(ys); // [64, 1]

const model = new nn.Sequential(
  new nn.Linear(2, 16, { init: 'glorotUniform' }),
  new nn.Sigmoid(),
  new nn.Linear(16, 1, { init: 'glorotUniform' }),
);
const lossFn = new nn.MSELoss();
const opt = new optim.SGD(model.parameters(), { lr: 0.5 });

console.log("the seeds' network: Linear(2→16) → sigmoid → Linear(16→1), MSE, gradient descent, 64 points");
for (let epoch = 0; epoch <= 5000; epoch++) {
  opt.zeroGrad();
  const loss = lossFn.forward(model.forward(x), y); // L = (1/N) Σ (ŷ − y)²
  loss.backward(); // dL/dW = xᵀ·dL/dy, dL/db = Σ_N dL/dy, dL/dx = dL/dy·Wᵀ, σ' = σ(1−σ)
  opt.step(); // W ← W − η dL/dW
  if (epoch % 500 === 0) console.log(`epoch ${String(epoch).padStart(4)}  loss ${loss.item().toFixed(6)}`);
}
