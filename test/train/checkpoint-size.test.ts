// A checkpoint's JSON header stays small whatever the model and the run: early stopping's best
// weights, the history and an epoch's sample order are binary tensors; a header over the cap is
// refused before writing; and checkpoint writes stay a bounded share of the time, so a long run
// of short epochs does not rewrite its growing history after every epoch. The cap is lowered
// here so that a small model shows what a large one would meet.

import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/tensor.js';
import { manualSeed, random } from '../../src/random.js';
import { Linear, ReLU } from '../../src/nn/layers/index.js';
import { Sequential } from '../../src/nn/sequential.js';
import { mseLoss } from '../../src/nn/losses.js';
import { Adam } from '../../src/optim/adam.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { fit } from '../../src/train/fit.js';
import { EarlyStopping } from '../../src/train/callbacks.js';
import { ModelCheckpoint } from '../../src/train/checkpoint-callback.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.js';
import { headerLimit, readSafetensorsMetadata } from '../../src/io/safetensors.js';
import type { FitContext } from '../../src/train/types.js';

const tmp = mkdtempSync(join(tmpdir(), 'nabla-ckpt-size-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const headerBytes = (path: string) => Number(readFileSync(path).readBigUInt64LE(0));

function data(n: number): TensorDataset {
  manualSeed(2);
  const x = Float32Array.from({ length: n * 4 }, () => random() - 0.5);
  const y = Float32Array.from({ length: n }, (_, i) => x[4 * i] - x[4 * i + 1]);
  return new TensorDataset(new Tensor(x, [n, 4]), new Tensor(y, [n, 1]));
}

async function run(path: string, epochs: number, resume: boolean) {
  manualSeed(1);
  // 4·300 + 300 + 300 + 1 = 1,801 parameters: their best copy as JSON numbers alone was ~38 kB.
  const model = new Sequential(new Linear(4, 300), new ReLU(), new Linear(300, 1));
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const stopper = new EarlyStopping({ patience: 50, restoreBestWeights: true });
  const result = await fit(model, {
    data: data(64),
    validation: data(16),
    loss: mseLoss,
    optimizer,
    epochs,
    batchSize: 16,
    callbacks: [stopper, new ModelCheckpoint(path, { maxTimeShare: 1 })],
    resumeFrom: resume ? path : undefined,
  });
  return { model, result, stopper };
}

test('early stopping with best-weight restore checkpoints and resumes under a header cap its weights would exceed as JSON', async () => {
  const saved = headerLimit.bytes;
  headerLimit.bytes = 8000;
  try {
    const path = join(tmp, 'best.ckpt');
    const whole = await run(join(tmp, 'whole.ckpt'), 6, false);
    await run(path, 5, false); // its best epoch, 5, is restored after the resumed sixth
    assert.ok(headerBytes(path) < 8000, `header of ${headerBytes(path)} bytes`);
    const resumed = await run(path, 6, true);
    assert.equal(resumed.result.history.length, 6);
    assert.deepEqual(
      resumed.result.history.map((h) => h.valLoss),
      whole.result.history.map((h) => h.valLoss),
    );
    assert.equal(resumed.stopper.restoredEpoch, 5);
    assert.equal(whole.stopper.restoredEpoch, 5);
    assert.deepEqual(
      resumed.model.parameters().map((p) => Array.from(p.data)),
      whole.model.parameters().map((p) => Array.from(p.data)),
    );
  } finally {
    headerLimit.bytes = saved;
  }
});

test("an earlier version's checkpoint (history and best weights as JSON) still resumes", async () => {
  const path = join(tmp, 'new.ckpt');
  const whole = await run(join(tmp, 'whole2.ckpt'), 6, false);
  await run(path, 5, false); // its best epoch, 5, is restored after the resumed sixth
  // Rewrite it as the earlier version did: every part of the loop state in the JSON.
  const { model } = await run(join(tmp, 'scratch.ckpt'), 1, false);
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  const { epoch, extra, tensors } = loadCheckpoint(path, { model, optimizer });
  const fit = (extra as { fit: { historyKeys: string[]; callbacks: Record<string, unknown>[] } }).fit;
  const table = tensors['fit.history'];
  const history = Array.from({ length: table.shape[0] }, (_, i) =>
    Object.fromEntries(fit.historyKeys.map((k, j) => [k, table.data[i * fit.historyKeys.length + j]])),
  );
  const bestWeights = Object.fromEntries(
    Object.entries(tensors)
      .filter(([k]) => k.startsWith('fit.callbacks.0.bestWeights.'))
      .map(([k, t]) => [k.slice('fit.callbacks.0.bestWeights.'.length), Array.from(t.data)]),
  );
  assert.equal(Object.keys(bestWeights).length, 4);
  const legacy = join(tmp, 'legacy.ckpt');
  const callbacks = [{ ...fit.callbacks[0], bestWeights }, null];
  saveCheckpoint(legacy, { model, optimizer, epoch, extra: { fit: { history, position: null, callbacks } } });
  const resumed = await run(legacy, 6, true);
  assert.equal(resumed.stopper.restoredEpoch, 5);
  assert.deepEqual(
    resumed.result.history.map((h) => h.valLoss),
    whole.result.history.map((h) => h.valLoss),
  );
  assert.deepEqual(
    resumed.model.parameters().map((p) => Array.from(p.data)),
    whole.model.parameters().map((p) => Array.from(p.data)),
  );
});

test('a checkpoint whose header would pass the cap is refused before writing, naming the file and the cap', () => {
  const saved = headerLimit.bytes;
  headerLimit.bytes = 4000;
  try {
    const model = new Sequential(new Linear(2, 2));
    const optimizer = new Adam(model.parameters());
    const path = join(tmp, 'big.ckpt');
    writeFileSync(path, 'the previous checkpoint');
    assert.throws(
      () => saveCheckpoint(path, { model, optimizer, epoch: 1, extra: { note: 'x'.repeat(5000) } }),
      new RegExp(
        `^Error: ${path}: cannot write the checkpoint: encodeSafetensors: the header would be \\d+ bytes \\(metadata 'nabla.checkpoint' is \\d+ characters\\), more than the cap of 4000 that safetensors readers accept$`,
      ),
    );
    assert.equal(readFileSync(path, 'utf8'), 'the previous checkpoint');
    saveCheckpoint(join(tmp, 'small.ckpt'), { model, optimizer, epoch: 1 });
    assert.ok(existsSync(join(tmp, 'small.ckpt')));
  } finally {
    headerLimit.bytes = saved;
  }
});

test('the history is a tensor: the header does not grow with the epochs, and writes keep to their share of the time', () => {
  const model = new Sequential(new Linear(2, 1));
  const optimizer = new Adam(model.parameters());
  const path = join(tmp, 'long.ckpt');
  const history: FitContext['history'] = [];
  const ctx: FitContext = {
    model,
    optimizer,
    epochs: 400,
    batchesPerEpoch: 1,
    history,
    position: null,
    stopTraining: false,
    snapshot: () => ({ history, position: null, callbacks: [null], callbackTensors: [{}] }),
  };
  // A clock that moves 1 ms per reading: each write takes 1 ms, so with a tenth of the time for
  // writes an epoch's checkpoint is skipped until 9 ms have passed since the last.
  let now = 0;
  mock.method(performance, 'now', () => ++now);
  const checkpoint = new ModelCheckpoint(path);
  const written: number[] = [];
  const headers: number[] = [];
  try {
    for (let epoch = 1; epoch <= 400; epoch++) {
      history.push({ epoch, lr: 0.001, seconds: 0.001, loss: 1 / epoch, valLoss: 2 / epoch });
      checkpoint.onEpochEnd(ctx);
      const saved = JSON.parse(readSafetensorsMetadata(path)['nabla.checkpoint']) as { epoch: number };
      if (saved.epoch === epoch) {
        written.push(epoch);
        headers.push(headerBytes(path));
      }
    }
  } finally {
    mock.restoreAll();
  }
  assert.equal(written[0], 1);
  assert.equal(written[written.length - 1], 400, 'the last epoch always writes');
  assert.ok(written.length <= 400 / 9 + 2, `${written.length} writes`);
  assert.ok(written.length >= 400 / 12, `${written.length} writes`);
  assert.ok(
    Math.max(...headers) - Math.min(...headers) <= 16,
    `header sizes ${Math.min(...headers)}..${Math.max(...headers)}`,
  );
});
