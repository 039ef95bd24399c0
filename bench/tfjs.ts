// TensorFlow.js' side of each workload, written as its users write a custom training loop
// (variables, optimizer.minimize, tidy), on its cpu or wasm backend.

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Mnist, Rings } from './data.js';
import { cnn, type ConvCase, type Layer, type TrainSpec } from './models.js';
import type { CnnResult, TrainResult } from './nabla.js';
import { median, timeRuns, timeRunsAsync } from './util.js';

export async function useTfBackend(name: 'cpu' | 'wasm'): Promise<string> {
  await tf.setBackend(name);
  await tf.ready();
  if (name === 'wasm') {
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const mt = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    return `wasm (SIMD ${simd ? 'on' : 'off'}, threads ${mt ? 'on' : 'off'})`;
  }
  return name;
}

export function matmulTimes(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  tA: boolean,
  tB: boolean,
): number[] {
  const at = tf.tensor2d(a, tA ? [k, m] : [m, k]);
  const bt = tf.tensor2d(b, tB ? [n, k] : [k, n]);
  const times = timeRuns(() => {
    const c = tf.matMul(at, bt, tA, tB);
    c.dataSync(); // wait for the result, as any use of it would
    c.dispose();
  });
  at.dispose();
  bt.dispose();
  return times;
}

/**
 * ms per product where values come back only asynchronously (the webgpu backend in Node has no
 * dataSync): each timed run queues `reps` products and awaits the last one's data() (tfjs' queue
 * runs in order), reps chosen after the warm-up so that a run takes about runMs.
 */
export async function matmulTimesAsync(
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
  const at = tf.tensor2d(a, tA ? [k, m] : [m, k]);
  const bt = tf.tensor2d(b, tB ? [n, k] : [k, n]);
  let reps = 1;
  const run = async () => {
    const cs: tf.Tensor[] = [];
    for (let i = 0; i < reps; i++) cs.push(tf.matMul(at, bt, tA, tB));
    await cs[cs.length - 1].data();
    tf.dispose(cs);
  };
  const t0 = performance.now();
  await run(); // warm-up (compiles the shader, uploads A and B)
  await run();
  const one = performance.now() - t0;
  reps = Math.max(1, Math.min(16, Math.round(runMs / Math.max(one / 2, 1e-3))));
  const times = await timeRunsAsync(run, 0, minRuns);
  at.dispose();
  bt.dispose();
  return times.map((t) => t / reps);
}

interface Model {
  vars: tf.Variable[];
  forward(x: tf.Tensor2D): tf.Tensor2D;
}

function mlp(layers: Layer[], act: 'relu' | 'tanh'): Model {
  const vars: tf.Variable[] = [];
  for (const l of layers) vars.push(tf.variable(tf.tensor2d(l.w, [l.inF, l.outF])), tf.variable(tf.tensor1d(l.b)));
  return {
    vars,
    forward(x) {
      let h: tf.Tensor2D = x;
      for (let i = 0; i < layers.length; i++) {
        h = tf.add(tf.matMul(h, vars[2 * i] as tf.Tensor2D), vars[2 * i + 1]);
        if (i + 1 < layers.length) h = act === 'relu' ? tf.relu(h) : tf.tanh(h);
      }
      return h;
    },
  };
}

function dispose(m: Model): void {
  for (const v of m.vars) v.dispose();
}

export function train(spec: TrainSpec, init: Layer[], data: Mnist, epochs: number, maxSteps = Infinity): TrainResult {
  const model = mlp(init, 'relu');
  const opt = tf.train.sgd(spec.lr);
  const n = data.trainY.length;
  const rates: number[] = [];
  let steps = 0;
  for (let e = 0; e < epochs && steps < maxSteps; e++) {
    const t0 = performance.now();
    let seen = 0;
    for (let s = 0; s < n && steps < maxSteps; s += spec.batch, steps++) {
      const end = Math.min(n, s + spec.batch);
      tf.tidy(() => {
        const x = tf.tensor2d(data.trainX.subarray(s * 784, end * 784), [end - s, 784]);
        const y = tf.oneHot(tf.tensor1d(data.trainY.subarray(s, end), 'int32'), 10);
        const loss = opt.minimize(
          () => tf.losses.softmaxCrossEntropy(y, model.forward(x)) as tf.Scalar,
          true,
          model.vars,
        );
        loss!.dataSync();
      });
      seen += end - s;
    }
    rates.push(seen / ((performance.now() - t0) / 1000));
  }
  let acc: number | null = null;
  if (steps >= epochs * Math.ceil(n / spec.batch) && epochs === spec.epochs) {
    const pred = tf.tidy(() =>
      model
        .forward(tf.tensor2d(data.testX, [data.testY.length, 784]))
        .argMax(1)
        .dataSync(),
    );
    let right = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === data.testY[i]) right++;
    acc = right / pred.length;
  }
  opt.dispose();
  dispose(model);
  return { samplesPerSec: Math.max(...rates), accuracy: acc, epochs };
}

/** train() with `await loss.data()` per step instead of dataSync (webgpu), after `warmup` untimed steps. */
export async function trainAsync(
  spec: TrainSpec,
  init: Layer[],
  data: Mnist,
  epochs: number,
  maxSteps = Infinity,
  warmup = 0,
): Promise<TrainResult> {
  const model = mlp(init, 'relu');
  const opt = tf.train.sgd(spec.lr);
  const n = data.trainY.length;
  const step = async (s: number) => {
    const end = Math.min(n, s + spec.batch);
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(data.trainX.subarray(s * 784, end * 784), [end - s, 784]);
      const y = tf.oneHot(tf.tensor1d(data.trainY.subarray(s, end), 'int32'), 10);
      return opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.forward(x)) as tf.Scalar, true, model.vars)!;
    });
    await loss.data();
    loss.dispose();
    return end - s;
  };
  for (let i = 0; i < warmup; i++) await step((i * spec.batch) % n);
  const rates: number[] = [];
  let steps = 0;
  for (let e = 0; e < epochs && steps < maxSteps; e++) {
    const t0 = performance.now();
    let seen = 0;
    for (let s = 0; s < n && steps < maxSteps; s += spec.batch, steps++) seen += await step(s);
    rates.push(seen / ((performance.now() - t0) / 1000));
  }
  let acc: number | null = null;
  if (steps >= epochs * Math.ceil(n / spec.batch) && epochs === spec.epochs) {
    const p = tf.tidy(() => model.forward(tf.tensor2d(data.testX, [data.testY.length, 784])).argMax(1));
    const pred = await p.data();
    p.dispose();
    let right = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === data.testY[i]) right++;
    acc = right / pred.length;
  }
  opt.dispose();
  dispose(model);
  return { samplesPerSec: Math.max(...rates), accuracy: acc, epochs, ...(maxSteps < Infinity && { steps }) };
}

export function overhead(
  init: Layer[],
  data: Rings,
  steps: number,
  batch: number,
  lr: number,
): { stepsPerSec: number; finalLoss: number } {
  const model = mlp(init, 'tanh');
  const opt = tf.train.sgd(lr);
  const batches: [tf.Tensor2D, tf.Tensor2D][] = [];
  for (let s = 0; s < data.y.length; s += batch) {
    batches.push([
      tf.tensor2d(data.x.subarray(2 * s, 2 * (s + batch)), [batch, 2]),
      tf.tensor2d(data.y.subarray(s, s + batch), [batch, 1]),
    ]);
  }
  const rates: number[] = [];
  let last = 0;
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const [x, y] = batches[i % batches.length];
    const loss = tf.tidy(() =>
      opt.minimize(() => tf.losses.sigmoidCrossEntropy(y, model.forward(x)) as tf.Scalar, true, model.vars)!,
    );
    if ((i + 1) % 200 === 0) {
      last = loss.dataSync()[0];
      const t1 = performance.now();
      rates.push(200 / ((t1 - t0) / 1000));
      t0 = t1;
    }
    loss.dispose();
  }
  for (const [x, y] of batches) tf.dispose([x, y]);
  opt.dispose();
  dispose(model);
  return { stepsPerSec: median(rates), finalLoss: last };
}

export function inference(init: Layer[], x: Float32Array, batch: number): number {
  const model = mlp(init, 'relu');
  const input = tf.tensor2d(x.subarray(0, batch * 784), [batch, 784]);
  const times = timeRuns(() => void tf.tidy(() => model.forward(input).dataSync()), 300, 20, 2000);
  input.dispose();
  dispose(model);
  return median(times);
}

// ---- convolutional networks ----
// tfjs takes images as NHWC and conv filters as [kH, kW, in, out] (depthwise: [kH, kW, in, 1]),
// so the inputs are transposed from NCHW before anything is timed.

/** NCHW → NHWC (or, for weights, [out, in, kH, kW] → [kH, kW, in, out]). */
export function toNhwc(a: Float32Array, d0: number, d1: number, d2: number, d3: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < d0; i++)
    for (let j = 0; j < d1; j++)
      for (let y = 0; y < d2; y++)
        for (let x = 0; x < d3; x++) {
          out[((i * d2 + y) * d3 + x) * d1 + j] = a[((i * d1 + j) * d2 + y) * d3 + x];
        }
  return out;
}
/** [out, in, kH, kW] → [kH, kW, in, out]. */
export function toHwio(w: Float32Array, o: number, i: number, kh: number, kw: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          out[((y * kw + x) * i + b) * o + a] = w[((a * i + b) * kh + y) * kw + x];
        }
  return out;
}

/**
 * ms per conv2d forward or forward+backward (input, filter and bias gradients of sum(y), through
 * tf.variableGrads), as a user of tf.conv2d / tf.depthwiseConv2d writes it. x is NHWC and w is
 * [kH, kW, in, out] (depthwise [kH, kW, c, 1]). warmup = false for peers whose single run takes
 * seconds.
 */
export function convTimes(
  c: ConvCase,
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  mode: 'fwd' | 'fwdbwd',
  budgetMs = 400,
  minReps = 3,
  warmup = true,
): number[] {
  const depthwise = c.groups > 1;
  if (depthwise && c.groups !== c.c) throw new Error('tfjs has no grouped convolution other than depthwise');
  const xv = tf.variable(tf.tensor4d(x, [c.n, c.h, c.w, c.c]));
  const wv = tf.variable(depthwise ? tf.tensor4d(w, [c.k, c.k, c.c, 1]) : tf.tensor4d(w, [c.k, c.k, c.c, c.out]));
  const bv = tf.variable(tf.tensor1d(b));
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [c.pad, c.pad],
    [c.pad, c.pad],
    [0, 0],
  ];
  const f = () =>
    tf.add(
      depthwise
        ? tf.depthwiseConv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, c.stride, pad)
        : tf.conv2d(xv as tf.Tensor4D, wv as tf.Tensor4D, c.stride, pad),
      bv,
    ) as tf.Tensor4D;
  const run =
    mode === 'fwd'
      ? () => tf.tidy(() => void f().dataSync())
      : () =>
          tf.tidy(() => {
            const { grads } = tf.variableGrads(() => tf.sum(f()), [xv, wv, bv]);
            for (const g of Object.values(grads)) g.dataSync();
          });
  try {
    if (!warmup) {
      const t0 = performance.now();
      run();
      return [performance.now() - t0];
    }
    return timeRuns(run, budgetMs, minReps);
  } finally {
    tf.dispose([xv, wv, bv]);
  }
}

/** The bench CNN in tf.layers, as its users write it: NHWC input, softmax + categorical cross-entropy, Adam, model.fit. */
function cnnModel(): tf.Sequential {
  // Keras' momentum is PyTorch's 1 − momentum: 0.9 here is torch's default 0.1; eps as torch's.
  const bn = () => tf.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same' }),
      bn(),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same' }),
      bn(),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.dropout({ rate: 0.25 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(cnn.lr), loss: 'categoricalCrossentropy' });
  return model;
}

/** Samples/s of the bench CNN under model.fit, timed over chunks of cnn.chunk steps after a warm-up fit. */
export async function cnnTrain(
  data: Mnist,
  steps = cnn.steps,
  warmup = cnn.warmup,
  chunk = cnn.chunk,
  budgetMs = Infinity,
): Promise<CnnResult> {
  const model = cnnModel();
  const b = cnn.batch;
  const perEpoch = Math.floor(data.trainY.length / b);
  const batches = (from: number, count: number) => {
    const s = (from % perEpoch) * b;
    const n = Math.min(count, perEpoch - (from % perEpoch)) * b; // stays inside the epoch
    return tf.tidy(
      () =>
        [
          tf.tensor4d(data.trainX.subarray(s * 784, (s + n) * 784), [n, 28, 28, 1]),
          tf.oneHot(tf.tensor1d(data.trainY.subarray(s, s + n), 'int32'), 10),
        ] as const,
    );
  };
  const fit = async (from: number, count: number) => {
    const [x, y] = batches(from, count);
    const h = await model.fit(x, y, { batchSize: b, epochs: 1, shuffle: false, verbose: 0 });
    tf.dispose([x, y]);
    return { loss: h.history.loss.at(-1) as number, steps: x.shape[0] / b };
  };
  try {
    await fit(0, warmup);
    const rates: number[] = [];
    let last = NaN;
    let spent = 0;
    let i = 0;
    while (i < steps && spent < budgetMs) {
      // budgetMs: chunks stop early (a software adapter)
      const t0 = performance.now();
      const r = await fit(warmup + i, Math.min(chunk, steps - i));
      const ms = performance.now() - t0;
      rates.push((r.steps * b) / (ms / 1000));
      spent += ms;
      last = r.loss;
      i += r.steps;
    }
    return { samplesPerSec: median(rates), finalLoss: last, steps: i };
  } finally {
    model.dispose();
  }
}
