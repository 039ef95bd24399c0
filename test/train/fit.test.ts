// The fit loop: it learns, it stops on NaN/Inf naming the place, early stopping stops, and an
// interrupted run resumed from its checkpoint ends with exactly the weights of an unbroken one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor, tensor } from '../../src/tensor.js';
import { manualSeed, random } from '../../src/random.js';
import { Dropout, Linear, ReLU } from '../../src/nn/layers/index.js';
import { Sequential } from '../../src/nn/sequential.js';
import { crossEntropy } from '../../src/nn/losses.js';
import { Adam } from '../../src/optim/adam.js';
import { SGD } from '../../src/optim/sgd.js';
import { OneCycleLR, ReduceLROnPlateau, StepLR } from '../../src/optim/schedulers.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { DataLoader } from '../../src/data/loader.js';
import { fit } from '../../src/train/fit.js';
import { EarlyStopping, LRSchedule } from '../../src/train/callbacks.js';
import { ModelCheckpoint } from '../../src/train/checkpoint-callback.js';

/** Two classes split by the line x + y = 0 (a known rule), 96 points. */
function blobs(): TensorDataset {
  manualSeed(3);
  const x = new Float32Array(192);
  const y = new Float32Array(96);
  for (let i = 0; i < 96; i++) {
    x[2 * i] = 2 * random() - 1;
    x[2 * i + 1] = 2 * random() - 1;
    y[i] = x[2 * i] + x[2 * i + 1] > 0 ? 1 : 0;
  }
  return new TensorDataset(new Tensor(x, [96, 2]), new Tensor(y, [96]));
}

const net = () => new Sequential(new Linear(2, 16), new ReLU(), new Dropout(0.1), new Linear(16, 2));

test('fit learns a linearly separable rule and reports history', async () => {
  const data = blobs();
  manualSeed(1);
  const model = net();
  const r = await fit(model, {
    data,
    validation: data,
    loss: crossEntropy,
    optimizer: new Adam(model.parameters(), { lr: 0.05 }),
    epochs: 30,
    batchSize: 16,
    metrics: ['accuracy'],
  });
  assert.equal(r.epochs, 30);
  assert.equal(r.history.length, 30);
  assert.ok(r.history[29].valAccuracy >= 0.95, `valAccuracy ${r.history[29].valAccuracy}`);
  assert.ok(r.history[29].loss < r.history[0].loss);
});

test('a NaN loss stops training naming epoch, step and the first non-finite layer', async () => {
  manualSeed(1);
  const model = new Sequential(new Linear(2, 4), new ReLU(), new Linear(4, 2));
  (model.layers[2] as Linear).weight.data[3] = NaN;
  await assert.rejects(
    fit(model, {
      data: blobs(),
      loss: crossEntropy,
      optimizer: new SGD(model.parameters(), { lr: 0.1 }),
      epochs: 2,
      batchSize: 8,
    }),
    (e: Error) =>
      e.name === 'NonFiniteError' &&
      /loss is NaN at epoch 1, step 1/.test(e.message) &&
      /weight of layer 2 Linear\(4→2\)/.test(e.message),
  );
});

test('a non-finite gradient with a finite loss is caught too', async () => {
  manualSeed(1);
  const model = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 2));
  // sqrt(out − out) is 0, but its derivative at 0 is infinite: the gradients become NaN.
  const loss = (out: Tensor) => out.sub(out).sqrt().sum();
  await assert.rejects(
    fit(model, { data: blobs(), loss, optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 1, batchSize: 8 }),
    /non-finite gradient at epoch 1, step 1: the gradient of weight in layer 0 Linear\(2→3\)/,
  );
});

test('early stopping ends training when the monitored value stops improving', async () => {
  manualSeed(1);
  const model = net();
  const stop = new EarlyStopping({ monitor: 'loss', patience: 2, minDelta: 1e-4 });
  const r = await fit(model, {
    data: blobs(),
    loss: crossEntropy,
    optimizer: new SGD(model.parameters(), { lr: 0 }),
    epochs: 20,
    batchSize: 32,
    callbacks: [stop],
  });
  assert.equal(r.epochs, 3);
  assert.equal(r.stoppedEarly, true);
});

async function run(dir: string, opts: { abortAt?: [number, number]; resume?: boolean }): Promise<Float32Array[]> {
  const data = blobs();
  manualSeed(42);
  const model = net();
  const optimizer = new Adam(model.parameters(), { lr: 0.02 });
  const loader = new DataLoader(data, { batchSize: 10, shuffle: true });
  const controller = new AbortController();
  const callbacks = [
    new LRSchedule(new OneCycleLR(optimizer, { maxLr: 0.05, totalSteps: 5 * loader.length })),
    {
      onBatchEnd: (_: unknown, info: { epoch: number; batch: number }) => {
        if (opts.abortAt && info.epoch === opts.abortAt[0] && info.batch === opts.abortAt[1]) controller.abort();
      },
    },
    new ModelCheckpoint(join(dir, 'ckpt.json')),
  ];
  const r = await fit(model, {
    data: loader,
    validation: data,
    loss: crossEntropy,
    optimizer,
    epochs: 5,
    callbacks,
    metrics: ['accuracy'],
    signal: controller.signal,
    // Noise from the PRNG, so the restored PRNG state matters.
    transform: (x) =>
      x.add(
        tensor(
          Array.from({ length: x.size }, () => 0.05 * (random() - 0.5)),
          { shape: x.shape },
        ),
      ),
    resumeFrom: opts.resume ? join(dir, 'ckpt.json') : undefined,
  });
  assert.equal(r.interrupted, opts.abortAt !== undefined);
  return model.parameters().map((p) => Float32Array.from(p.data));
}

test('an interrupted run resumed from its checkpoint ends with exactly the same weights', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-fit-'));
  try {
    const straight = await run(dir, {});
    for (const at of [
      [1, 4],
      [2, 10],
    ] as [number, number][]) {
      // [2, 10] is the last batch of epoch 3 (0-based 2): the interrupt lands between epochs.
      await run(dir, { abortAt: at });
      const resumed = await run(dir, { resume: true });
      resumed.forEach((p, i) => assert.deepEqual(p, straight[i], `parameter ${i} after interrupt at ${at}`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A run whose callbacks start with best = ±Infinity: ReduceLROnPlateau and EarlyStopping. */
async function runPlateau(dir: string, opts: { abortAt?: [number, number]; resume?: boolean }) {
  const data = blobs();
  manualSeed(7);
  const model = net();
  const optimizer = new SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });
  const controller = new AbortController();
  const stopper = new EarlyStopping({ patience: 2 });
  const callbacks = [
    new LRSchedule(new ReduceLROnPlateau(optimizer, { patience: 0, factor: 0.5 })),
    stopper,
    {
      onBatchEnd: (_: unknown, info: { epoch: number; batch: number }) => {
        if (opts.abortAt && info.epoch === opts.abortAt[0] && info.batch === opts.abortAt[1]) controller.abort();
      },
    },
    new ModelCheckpoint(join(dir, 'plateau.ckpt')),
  ];
  const r = await fit(model, {
    data: new DataLoader(data, { batchSize: 16, shuffle: true }),
    validation: data,
    loss: crossEntropy,
    optimizer,
    epochs: 6,
    callbacks,
    signal: controller.signal,
    resumeFrom: opts.resume ? join(dir, 'plateau.ckpt') : undefined,
  });
  assert.equal(r.interrupted, opts.abortAt !== undefined);
  return {
    weights: model.parameters().map((p) => Float32Array.from(p.data)),
    lr: optimizer.lr,
    epochs: r.epochs,
    stoppedEarly: r.stoppedEarly,
  };
}

test('resuming keeps ReduceLROnPlateau and EarlyStopping whose best is still ±Infinity', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-fit-'));
  try {
    const straight = await runPlateau(dir, {});
    // The straight run does lower lr and stop early, so both callbacks' states matter.
    assert.ok(
      straight.lr < 0.5 && straight.stoppedEarly && straight.epochs < 6,
      JSON.stringify({ ...straight, weights: undefined }),
    );
    // Interrupted after the first batch of the first epoch (0-based 0), before any best is set.
    await runPlateau(dir, { abortAt: [0, 1] });
    const resumed = await runPlateau(dir, { resume: true });
    assert.equal(resumed.epochs, straight.epochs);
    assert.equal(resumed.stoppedEarly, straight.stoppedEarly);
    assert.equal(resumed.lr, straight.lr);
    resumed.weights.forEach((p, i) => assert.deepEqual(p, straight.weights[i], `parameter ${i}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('LRSchedule steps epoch schedulers once per epoch; clipping bounds the update', async () => {
  manualSeed(1);
  const model = net();
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  const r = await fit(model, {
    data: blobs(),
    loss: crossEntropy,
    optimizer,
    epochs: 5,
    batchSize: 32,
    callbacks: [new LRSchedule(new StepLR(optimizer, { stepSize: 2, gamma: 0.5 }))],
  });
  assert.deepEqual(
    r.history.map((l) => l.lr),
    [0.1, 0.1, 0.05, 0.05, 0.025],
  );

  // With the global gradient norm clipped to 1e-3, one SGD step of lr 0.1 moves the weights by at most 1e-4.
  manualSeed(1);
  const m2 = net();
  const before = m2.parameters().map((p) => Array.from(p.data));
  await fit(m2, {
    data: blobs(),
    loss: crossEntropy,
    optimizer: new SGD(m2.parameters(), { lr: 0.1 }),
    epochs: 1,
    batchSize: 96,
    clipGradNorm: 1e-3,
  });
  let sq = 0;
  m2.parameters().forEach((p, i) => p.data.forEach((v, j) => (sq += (v - before[i][j]) ** 2)));
  assert.ok(Math.sqrt(sq) <= 1e-4 * (1 + 1e-3), `update norm ${Math.sqrt(sq)}`);
  assert.ok(Math.sqrt(sq) > 0.5e-4, 'the gradient was clipped, not zeroed');
});
