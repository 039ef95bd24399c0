// TensorFlow.js' side of each workload, written as its users write a custom training loop
// (variables, optimizer.minimize, tidy), on its cpu or wasm backend.

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Mnist, Rings } from './data.js';
import type { Layer, TrainSpec } from './models.js';
import type { TrainResult } from './nabla.js';
import { median, timeRuns } from './util.js';

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

export function matmulTimes(a: Float32Array, b: Float32Array, m: number, k: number, n: number, tA: boolean, tB: boolean): number[] {
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
        const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.forward(x)) as tf.Scalar, true, model.vars);
        loss!.dataSync();
      });
      seen += end - s;
    }
    rates.push(seen / ((performance.now() - t0) / 1000));
  }
  let acc: number | null = null;
  if (steps >= epochs * Math.ceil(n / spec.batch) && epochs === spec.epochs) {
    const pred = tf.tidy(() => model.forward(tf.tensor2d(data.testX, [data.testY.length, 784])).argMax(1).dataSync());
    let right = 0;
    for (let i = 0; i < pred.length; i++) if (pred[i] === data.testY[i]) right++;
    acc = right / pred.length;
  }
  opt.dispose();
  dispose(model);
  return { samplesPerSec: median(rates), accuracy: acc, epochs };
}

export function overhead(init: Layer[], data: Rings, steps: number, batch: number, lr: number): { stepsPerSec: number; finalLoss: number } {
  const model = mlp(init, 'tanh');
  const opt = tf.train.sgd(lr);
  const batches: [tf.Tensor2D, tf.Tensor2D][] = [];
  for (let s = 0; s < data.y.length; s += batch) {
    batches.push([tf.tensor2d(data.x.subarray(2 * s, 2 * (s + batch)), [batch, 2]), tf.tensor2d(data.y.subarray(s, s + batch), [batch, 1])]);
  }
  const rates: number[] = [];
  let last = 0;
  let t0 = performance.now();
  for (let i = 0; i < steps; i++) {
    const [x, y] = batches[i % batches.length];
    const loss = tf.tidy(() => opt.minimize(() => tf.losses.sigmoidCrossEntropy(y, model.forward(x)) as tf.Scalar, true, model.vars)!);
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
