// fit as Keras and PyTorch users call it: the event loop keeps turning while it trains (a timer
// fires), a loss module (new nn.CrossEntropyLoss()) is taken as well as a loss function, and a
// metric may be a function of one's own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor.js';
import { manualSeed, random } from '../../src/random.js';
import { Linear, ReLU } from '../../src/nn/layers/index.js';
import { Sequential } from '../../src/nn/sequential.js';
import { crossEntropy, CrossEntropyLoss, MSELoss, mseLoss } from '../../src/nn/losses.js';
import { SGD } from '../../src/optim/sgd.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { fit } from '../../src/train/fit.js';
import { evaluate } from '../../src/train/evaluate.js';
import type { LossFn } from '../../src/train/types.js';

function points(n: number): TensorDataset {
  manualSeed(5);
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = 2 * random() - 1;
    x[2 * i + 1] = 2 * random() - 1;
    y[i] = x[2 * i] > x[2 * i + 1] ? 1 : 0;
  }
  return new TensorDataset(new Tensor(x, [n, 2]), new Tensor(y, [n]));
}

const net = () => new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 2));

test('a 10 ms interval keeps firing during fit, without a signal (at least one turn per 50 ms)', async () => {
  manualSeed(1);
  const model = net();
  const data = points(512);
  let fired = 0;
  const timer = setInterval(() => fired++, 10);
  const started = performance.now();
  const cpu = process.cpuUsage();
  try {
    // Batch 1: a thousand short steps, the case where a loop never turns the event loop.
    await fit(model, {
      data,
      validation: data,
      loss: crossEntropy,
      optimizer: new SGD(model.parameters(), { lr: 0.05 }),
      epochs: 2,
      batchSize: 1,
    });
  } finally {
    clearInterval(timer);
  }
  // The time the process ran: on a loaded machine the wall time also counts the time it waited
  // for a core, when no timer of its own can fire.
  const used = process.cpuUsage(cpu);
  const ms = Math.min(performance.now() - started, (used.user + used.system) / 1000);
  assert.ok(ms > 200, `the fit ran ${ms.toFixed(0)} ms: too short to tell`);
  assert.ok(fired >= Math.floor(ms / 50), `the interval fired ${fired} times in ${ms.toFixed(0)} ms of running`);
});

test('fit and evaluate take a loss module as they take the function, with the same result', async () => {
  const data = points(64);
  const run = async (loss: LossFn | CrossEntropyLoss) => {
    manualSeed(1);
    const model = net();
    const r = await fit(model, {
      data,
      loss,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      epochs: 3,
      batchSize: 16,
    });
    return { history: r.history.map((h) => h.loss), test: (await evaluate(model, data, { loss })).loss };
  };
  const fromModule = await run(new CrossEntropyLoss());
  assert.deepEqual(fromModule, await run(crossEntropy));
  assert.ok(fromModule.history[2] < fromModule.history[0]);
});

test('a loss that is neither a function nor a module is refused naming what fit takes', async () => {
  const model = new Sequential(new Linear(2, 1));
  const base = { data: points(8), optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 1 };
  await assert.rejects(
    fit(model, { ...base, loss: 'mse' as unknown as MSELoss }),
    /fit: loss must be a function \(output, target\) → scalar, such as nn\.crossEntropy, or a loss module, such as new nn\.CrossEntropyLoss\(\); got string/,
  );
});

test('a metric function is averaged over the samples, as its value over the whole set, under its name', async () => {
  manualSeed(2);
  const model = new Sequential(new Linear(2, 1));
  const data = points(64);
  const y = new Tensor(
    Float32Array.from(data.targets.data, (v) => 2 * v - 1),
    [64, 1],
  );
  const set = new TensorDataset(data.inputs, y);
  // Batches of 24, 24 and 16: an unweighted mean of batch values would differ.
  function absErr(outputs: Tensor, targets: Tensor): number {
    let s = 0;
    for (let i = 0; i < outputs.size; i++) s += Math.abs(outputs.data[i] - targets.data[i]);
    return s / outputs.size;
  }
  const { history } = await fit(model, {
    data: set,
    validation: set,
    loss: new MSELoss(),
    optimizer: new SGD(model.parameters(), { lr: 0.05 }),
    epochs: 2,
    batchSize: 24,
    metrics: ['mae', absErr],
  });
  for (const h of history) {
    assert.ok(Math.abs(h.absErr - h.mae) < 1e-9, `absErr ${h.absErr}, mae ${h.mae}`);
    assert.ok(Math.abs(h.valAbsErr - h.valMae) < 1e-9, `valAbsErr ${h.valAbsErr}, valMae ${h.valMae}`);
  }
  const evaluated = await evaluate(model, set, { loss: mseLoss, metrics: [absErr] });
  assert.ok(Math.abs(evaluated.own!.absErr - history[1].valAbsErr) < 1e-9);
  await assert.rejects(
    fit(model, {
      data: set,
      loss: mseLoss,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      epochs: 1,
      metrics: [() => 0],
    }),
    /metrics: a metric function needs a name/,
  );
});
