// nabla's side of each workload, on whichever backend and thread count is set.
//
// The training loops run unchanged on a device backend (webgpu): there values come back only
// through `await t.read()`, so each step reads its loss once (as fit does) and frees the device
// memory it made at its end (DeviceScope, as src/train/device-step.ts). On the CPU backends the
// loops read nothing per step, as before; `await t.read()` resolves at once there.

import { bceWithLogits, crossEntropy } from '../src/nn/losses.js';
import * as nabla from '../src/index.js';
import { backendInfo, matmulT, nn, noGrad, optim, tensor, type Tensor } from '../src/index.js';
import { collecting, releaseCells, type Cell } from '../src/cells.js';
import type { Mnist, Rings } from './data.js';
import { cnn, type ConvCase, type Layer, type TrainSpec } from './models.js';
import { median, timeRuns, timeRunsAsync } from './util.js';

/** Whether the active backend keeps values on a device (then only `await t.read()` brings them back). */
export const onDevice = (): boolean => backendInfo().device;

/**
 * A training step's device memory, freed at its end as fit frees it (src/train/device-step.ts):
 * every cell the step made except the gradients and the optimizer state, which carry over and are
 * freed at the next step when they are not kept again. The garbage collector feels no device
 * memory pressure, so without this the pool grows for as long as the collector waits.
 */
export class DeviceScope {
  private cells: Cell[] = [];
  constructor(private readonly keep: () => Cell[] = () => []) {}

  /** Runs fn collecting the cells it makes; reads `read(result)` (one device round trip), then frees them. */
  async step<T>(fn: () => T, read: (r: T) => Tensor[]): Promise<{ result: T; values: Float32Array[] }> {
    const result = collecting(this.cells, fn);
    const values = (await nabla.readAll(read(result))) as Float32Array[];
    this.cells = releaseCells(this.cells, new Set(this.keep()));
    return { result, values };
  }
}
const trainingKeep = (model: nn.Module, opt: optim.Optimizer) => () => [
  ...opt.stateCells(),
  ...model.parameters().flatMap((p) => (p.grad ? [p.grad.cell] : [])),
];

export function matmulTimes(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  tA: boolean,
  tB: boolean,
): number[] {
  const at = tensor(a, { shape: tA ? [k, m] : [m, k] });
  const bt = tensor(b, { shape: tB ? [n, k] : [k, n] });
  return timeRuns(() => void matmulT(at, bt, tA, tB));
}

/**
 * ms per product on a device backend: each timed run queues `reps` products and waits for the
 * last one's values (`await out.read()`; the stream runs in order, so that is all of them), and
 * frees their outputs. `reps` is chosen after the warm-up product (which compiles the kernel and
 * uploads A and B) so that a timed run takes about `runMs`.
 */
export async function matmulTimesDevice(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  tA: boolean,
  tB: boolean,
  runMs = 300,
  minRuns = 3,
): Promise<number[]> {
  const at = tensor(a, { shape: tA ? [k, m] : [m, k] });
  const bt = tensor(b, { shape: tB ? [n, k] : [k, n] });
  const scope = new DeviceScope();
  let reps = 1;
  const run = () =>
    scope.step(
      () => {
        let out = matmulT(at, bt, tA, tB);
        for (let i = 1; i < reps; i++) out = matmulT(at, bt, tA, tB);
        return out;
      },
      (out) => [out],
    );
  const t0 = performance.now();
  await run(); // warm-up
  await run(); // a second single product: the first one compiles
  const one = performance.now() - t0;
  reps = Math.max(1, Math.min(16, Math.round(runMs / Math.max(one / 2, 1e-3))));
  const times = await timeRunsAsync(async () => void (await run()), 0, minRuns);
  return times.map((t) => t / reps);
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

export async function accuracy(model: nn.Module, x: Float32Array, y: Int32Array, features: number): Promise<number> {
  const logits = noGrad(() => model.forward(tensor(x, { shape: [y.length, features] })));
  const c = logits.shape[1];
  const v = await logits.read();
  let right = 0;
  for (let r = 0; r < y.length; r++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (v[r * c + j] > v[r * c + best]) best = j;
    if (best === y[r]) right++;
  }
  return right / y.length;
}

export interface TrainResult {
  samplesPerSec: number; // the best epoch's
  accuracy: number | null; // on the 2,000 test digits, when all epochs ran
  epochs: number;
  steps?: number; // timed steps, when capped (maxSteps)
}

/**
 * MLP training samples/s of the best epoch (bench/run.ts says why). `maxSteps` caps the steps (then one partial epoch
 * is timed and no accuracy reported) after `warmup` untimed steps: for a device on a software
 * adapter, where an epoch takes minutes.
 */
export async function train(
  spec: TrainSpec,
  init: Layer[],
  data: Mnist,
  epochs: number,
  maxSteps = Infinity,
  warmup = 0,
): Promise<TrainResult> {
  const model = mlp(init, 'relu');
  const opt = new optim.SGD(model.parameters(), { lr: spec.lr });
  const n = data.trainY.length;
  const device = onDevice();
  const scope = new DeviceScope(trainingKeep(model, opt));
  const step = (s: number) => {
    const end = Math.min(n, s + spec.batch);
    const x = tensor(data.trainX.subarray(s * 784, end * 784), { shape: [end - s, 784] });
    const loss = crossEntropy(model.forward(x), data.trainY.subarray(s, end));
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss;
  };
  for (let i = 0; i < warmup; i++)
    await scope.step(
      () => step((i * spec.batch) % n),
      (loss) => [loss],
    );
  const rates: number[] = [];
  let steps = 0;
  for (let e = 0; e < epochs && steps < maxSteps; e++) {
    const t0 = performance.now();
    let seen = 0;
    for (let s = 0; s < n && steps < maxSteps; s += spec.batch, steps++) {
      if (device)
        await scope.step(
          () => step(s),
          (loss) => [loss],
        ); // one read per step, as fit
      else step(s);
      seen += Math.min(spec.batch, n - s);
    }
    rates.push(seen / ((performance.now() - t0) / 1000));
  }
  const all = epochs === spec.epochs && steps >= epochs * Math.ceil(n / spec.batch);
  return {
    samplesPerSec: Math.max(...rates),
    accuracy: all ? await accuracy(model, data.testX, data.testY, 784) : null,
    epochs,
    ...(maxSteps < Infinity && { steps }),
  };
}

/** Steps per second of the 2-16-16-1 tanh MLP with BCE (median over chunks of 200 steps). */
export async function overhead(
  init: Layer[],
  data: Rings,
  steps: number,
  batch: number,
  lr: number,
): Promise<{ stepsPerSec: number; finalLoss: number }> {
  const model = mlp(init, 'tanh');
  const opt = new optim.SGD(model.parameters(), { lr });
  const device = onDevice();
  const scope = new DeviceScope(trainingKeep(model, opt));
  const batches: [Tensor, Tensor][] = [];
  for (let s = 0; s < data.y.length; s += batch) {
    batches.push([
      tensor(data.x.subarray(2 * s, 2 * (s + batch)), { shape: [batch, 2] }),
      tensor(data.y.subarray(s, s + batch), { shape: [batch, 1] }),
    ]);
  }
  const rates: number[] = [];
  let last = 0;
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const [x, y] = batches[i % batches.length];
    const step = () => {
      const loss = bceWithLogits(model.forward(x), y);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss;
    };
    const loss = device ? null : step();
    if (device) last = (await scope.step(step, (l) => [l])).values[0][0]; // a read per step: the device's stream stays bounded
    if ((i + 1) % 200 === 0) {
      const t1 = performance.now();
      rates.push(200 / ((t1 - t0) / 1000));
      t0 = t1;
      if (loss) last = loss.item();
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

// ---- convolutional networks ----
// Looked up by name rather than imported, so that the bench builds and reports "not available"
// on a checkout that does not have them yet.

type Conv2d = (
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  options: { stride?: number; padding?: number; groups?: number },
) => Tensor;
type Ctor = new (...args: unknown[]) => nn.Module;
const ops = nabla as unknown as { conv2d?: Conv2d };
const layers = nn as unknown as Record<string, Ctor | undefined>;
const cnnLayers = ['Conv2d', 'BatchNorm2d', 'MaxPool2d', 'Dropout', 'Flatten', 'ReLU', 'Linear'];

/** Why the conv workloads cannot run on this checkout, or null when they can. */
export function convMissing(): string | null {
  return typeof ops.conv2d === 'function' ? null : 'not available: this checkout of nabla has no conv2d op';
}
export function cnnMissing(): string | null {
  const missing = cnnLayers.filter((l) => typeof layers[l] !== 'function').map((l) => `nn.${l}`);
  return missing.length ? `not available: this checkout of nabla has no ${missing.join(', ')}` : null;
}

/**
 * ms per conv2d forward (fwd) or forward and backward to the input, weight and bias gradients
 * (fwdbwd, of sum(y)), on x [n,c,h,w] NCHW and weight [out, c/groups, k, k].
 */
export function convTimes(
  c: ConvCase,
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  mode: 'fwd' | 'fwdbwd',
  budgetMs = 400,
  minReps = 3,
): number[] {
  const conv2d = ops.conv2d!;
  const xt = tensor(x, { shape: [c.n, c.c, c.h, c.w], requiresGrad: mode === 'fwdbwd' });
  const wt = tensor(w, { shape: [c.out, c.c / c.groups, c.k, c.k], requiresGrad: mode === 'fwdbwd' });
  const bt = tensor(b, { shape: [c.out], requiresGrad: mode === 'fwdbwd' });
  const options = { stride: c.stride, padding: c.pad, groups: c.groups };
  if (mode === 'fwd') return timeRuns(() => void noGrad(() => conv2d(xt, wt, bt, options)), budgetMs, minReps);
  return timeRuns(
    () => {
      xt.grad = wt.grad = bt.grad = null;
      conv2d(xt, wt, bt, options).sum().backward();
    },
    budgetMs,
    minReps,
  );
}

/** ms per plain GEMM [m,k]·[k,n] (the conv's same-size product). */
export function gemmTimes(m: number, k: number, n: number, a: Float32Array, b: Float32Array, budgetMs = 400): number[] {
  const at = tensor(a.subarray(0, m * k), { shape: [m, k] });
  const bt = tensor(b.subarray(0, k * n), { shape: [k, n] });
  return timeRuns(() => void matmulT(at, bt, false, false), budgetMs);
}

export interface CnnResult {
  samplesPerSec: number; // median over chunks of cnn.chunk steps
  finalLoss: number; // after the last timed step (a sanity check: each peer starts from its own init)
  steps: number;
}

export function cnnModel(): nn.Module {
  const L = layers as Record<string, Ctor>;
  return new nn.Sequential(
    new L.Conv2d(1, 32, 3, { padding: 1 }),
    new L.BatchNorm2d(32),
    new L.ReLU(),
    new L.MaxPool2d(2),
    new L.Conv2d(32, 64, 3, { padding: 1 }),
    new L.BatchNorm2d(64),
    new L.ReLU(),
    new L.MaxPool2d(2),
    new L.Dropout(0.25),
    new L.Flatten(),
    new L.Linear(3136, 128),
    new L.ReLU(),
    new L.Linear(128, 10),
  );
}

/**
 * Samples/s of Adam training of the bench CNN on the training digits, batch cnn.batch. Chunks stop
 * early once the timed steps have taken `budgetMs` (for a software adapter; `steps` then says how
 * many ran).
 */
export async function cnnTrain(
  data: Mnist,
  steps = cnn.steps,
  warmup = cnn.warmup,
  chunk = cnn.chunk,
  budgetMs = Infinity,
): Promise<CnnResult> {
  nabla.manualSeed(0);
  const model = cnnModel();
  model.train();
  const opt = new optim.Adam(model.parameters(), { lr: cnn.lr });
  const device = onDevice();
  const scope = new DeviceScope(trainingKeep(model, opt));
  const perEpoch = Math.floor(data.trainY.length / cnn.batch);
  const step = (i: number) => {
    const s = (i % perEpoch) * cnn.batch;
    const x = tensor(data.trainX.subarray(s * 784, (s + cnn.batch) * 784), { shape: [cnn.batch, 1, 28, 28] });
    const loss = crossEntropy(model.forward(x), data.trainY.subarray(s, s + cnn.batch));
    opt.zeroGrad();
    loss.backward();
    opt.step();
    return loss;
  };
  for (let i = 0; i < warmup; i++) {
    if (device)
      await scope.step(
        () => step(i),
        (loss) => [loss],
      );
    else nabla.trainStep(() => void step(i), [model, opt]);
  }
  const rates: number[] = [];
  let last = NaN;
  let spent = 0;
  let ran = 0;
  for (let i = 0; i < steps && spent < budgetMs; i += chunk) {
    const t0 = performance.now();
    const n = Math.min(chunk, steps - i);
    for (let j = 0; j < n; j++) {
      if (device) {
        last = (
          await scope.step(
            () => step(warmup + i + j),
            (loss) => [loss],
          )
        ).values[0][0]; // one read per step, as fit
        continue;
      }
      const value = nabla.trainStep(() => step(warmup + i + j).item(), [model, opt]);
      if (i + j === steps - 1) last = value;
    }
    const ms = performance.now() - t0;
    rates.push((n * cnn.batch) / (ms / 1000));
    spent += ms;
    ran = i + n;
  }
  return { samplesPerSec: median(rates), finalLoss: last, steps: ran };
}
