// nabla's side of each workload, on whichever backend and thread count is set.

import { bceWithLogits, crossEntropy } from '../src/nn/losses.js';
import { matmulT, nn, noGrad, optim, tensor, type Tensor } from '../src/index.js';
import type { Mnist, Rings } from './data.js';
import type { Layer, TrainSpec } from './models.js';
import { median, timeRuns } from './util.js';

export function matmulTimes(a: Float32Array, b: Float32Array, m: number, k: number, n: number, tA: boolean, tB: boolean): number[] {
  const at = tensor(a, { shape: tA ? [k, m] : [m, k] });
  const bt = tensor(b, { shape: tB ? [n, k] : [k, n] });
  return timeRuns(() => void matmulT(at, bt, tA, tB));
}

export function mlp(layers: Layer[], act: 'relu' | 'tanh'): nn.Sequential {
  const mods: nn.Module[] = [];
  layers.forEach((l, i) => {
    const lin = new nn.Linear(l.inF, l.outF);
    lin.weight.data.set(l.w);
    lin.bias!.data.set(l.b);
    lin.weight.markChanged();
    lin.bias!.markChanged();
    mods.push(lin);
    if (i + 1 < layers.length) mods.push(act === 'relu' ? new nn.ReLU() : new nn.Tanh());
  });
  return new nn.Sequential(...mods);
}

export function accuracy(model: nn.Module, x: Float32Array, y: Int32Array, features: number): number {
  const logits = noGrad(() => model.forward(tensor(x, { shape: [y.length, features] })));
  const c = logits.shape[1];
  let right = 0;
  for (let r = 0; r < y.length; r++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (logits.data[r * c + j] > logits.data[r * c + best]) best = j;
    if (best === y[r]) right++;
  }
  return right / y.length;
}

export interface TrainResult {
  samplesPerSec: number; // median over epochs
  accuracy: number | null; // on the 2,000 test digits, when all epochs ran
  epochs: number;
}

export function train(spec: TrainSpec, init: Layer[], data: Mnist, epochs: number): TrainResult {
  const model = mlp(init, 'relu');
  const opt = new optim.SGD(model.parameters(), { lr: spec.lr });
  const n = data.trainY.length;
  const rates: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    for (let s = 0; s < n; s += spec.batch) {
      const end = Math.min(n, s + spec.batch);
      const x = tensor(data.trainX.subarray(s * 784, end * 784), { shape: [end - s, 784] });
      const loss = crossEntropy(model.forward(x), data.trainY.subarray(s, end));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  return { samplesPerSec: median(rates), accuracy: epochs === spec.epochs ? accuracy(model, data.testX, data.testY, 784) : null, epochs };
}

/** Steps per second of the 2-16-16-1 tanh MLP with BCE (median over chunks of 200 steps). */
export function overhead(init: Layer[], data: Rings, steps: number, batch: number, lr: number): { stepsPerSec: number; finalLoss: number } {
  const model = mlp(init, 'tanh');
  const opt = new optim.SGD(model.parameters(), { lr });
  const batches: [Tensor, Tensor][] = [];
  for (let s = 0; s < data.y.length; s += batch) {
    batches.push([tensor(data.x.subarray(2 * s, 2 * (s + batch)), { shape: [batch, 2] }), tensor(data.y.subarray(s, s + batch), { shape: [batch, 1] })]);
  }
  const rates: number[] = [];
  let last = 0;
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const [x, y] = batches[i % batches.length];
    const loss = bceWithLogits(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    if ((i + 1) % 200 === 0) {
      const t1 = performance.now();
      rates.push(200 / ((t1 - t0) / 1000));
      t0 = t1;
      last = loss.item();
    }
  }
  return { stepsPerSec: median(rates), finalLoss: last };
}

/** Forward-pass latency (ms, median) of the 784-128-10 model at the given batch size. */
export function inference(init: Layer[], x: Float32Array, batch: number): number {
  const model = mlp(init, 'relu');
  const input = tensor(x.subarray(0, batch * 784), { shape: [batch, 784] });
  return median(timeRuns(() => void noGrad(() => model.forward(input)), 300, 20, 2000));
}
