// CSVLogger: one line per epoch, CSV with a header or JSON Lines, holding exactly fit's history;
// a resumed run's file starts again from the epochs its checkpoint holds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../../src/tensor.js';
import { manualSeed } from '../../src/random.js';
import { Linear } from '../../src/nn/layers/index.js';
import { Sequential } from '../../src/nn/sequential.js';
import { mseLoss } from '../../src/nn/losses.js';
import { SGD } from '../../src/optim/sgd.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { fit } from '../../src/train/fit.js';
import { CSVLogger } from '../../src/train/csv-logger.js';
import { ModelCheckpoint } from '../../src/train/checkpoint-callback.js';

const tmp = mkdtempSync(join(tmpdir(), 'nabla-csvlog-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const data = new TensorDataset(
  new Tensor(
    Float32Array.from({ length: 32 }, (_, i) => i / 16),
    [16, 2],
  ),
  new Tensor(
    Float32Array.from({ length: 16 }, (_, i) => i / 8),
    [16, 1],
  ),
);

async function train(epochs: number, callbacks: (CSVLogger | ModelCheckpoint)[], resumeFrom?: string) {
  manualSeed(1);
  const model = new Sequential(new Linear(2, 1));
  return fit(model, {
    data,
    validation: data,
    loss: mseLoss,
    optimizer: new SGD(model.parameters(), { lr: 0.1 }),
    epochs,
    batchSize: 4,
    metrics: ['mae'],
    callbacks,
    resumeFrom,
  });
}

test('CSV: a header and one row per epoch, the values of the history', async () => {
  const file = join(tmp, 'log.csv');
  const { history } = await train(3, [new CSVLogger(file)]);
  const [header, ...rows] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const columns = header.split(',');
  assert.deepEqual(columns, ['epoch', 'lr', 'seconds', 'loss', 'mae', 'valLoss', 'valMae']);
  assert.equal(rows.length, 3);
  rows.forEach((row, i) => {
    const values = row.split(',').map(Number);
    columns.forEach((c, j) => assert.equal(values[j], history[i][c], `epoch ${i + 1} ${c}`));
  });
});

test('JSON Lines for .jsonl; a resumed run rewrites the file from its checkpoint, then appends', async () => {
  const file = join(tmp, 'log.jsonl');
  const checkpoint = join(tmp, 'ckpt.safetensors');
  const straight = await train(2, [new CSVLogger(file), new ModelCheckpoint(checkpoint, { maxTimeShare: 1 })]);
  const resumed = await train(
    4,
    [new CSVLogger(file), new ModelCheckpoint(checkpoint, { maxTimeShare: 1 })],
    checkpoint,
  );
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  assert.deepEqual(
    lines.map((l) => JSON.parse(l) as Record<string, number>),
    resumed.history,
  );
  assert.deepEqual(resumed.history.slice(0, 2), straight.history);
});
