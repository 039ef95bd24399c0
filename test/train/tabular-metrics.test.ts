// The tabular pieces of training, against values worked out by hand (scikit-learn's definitions):
// R² per output column and averaged, per-class precision/recall/F1, K-fold splits, early stopping
// that restores the best weights (also across a checkpoint's JSON), and the target scale folded
// into a regressor's head.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/tensor.js';
import { addMetricSums, metricValue, perClassScores, formatClassScores } from '../../src/train/metrics.js';
import { kFold } from '../../src/data/folds.js';
import { EarlyStopping } from '../../src/train/callbacks.js';
import type { FitContext, FitResult } from '../../src/train/types.js';
import { mlp } from '../../src/nn/mlp.js';
import { manualSeed } from '../../src/random.js';
import { foldTargetScale } from '../../src/cli/target-scale.js';
import { noGrad } from '../../src/autograd/mode.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('R², RMSE and MAE from sums collected over batches equal the whole-set formulas', () => {
  // Two output columns; column 1's target is constant and predicted exactly (R² 1, as sklearn).
  const y = [
    [3, 5],
    [-0.5, 5],
    [2, 5],
    [7, 5],
  ];
  const p = [
    [2.5, 5],
    [0, 5],
    [2, 5],
    [8, 5],
  ];
  const sums: Record<string, number> = {};
  // In two batches of two rows: R² needs the variance of all four targets, not per batch.
  for (const rows of [
    [0, 1],
    [2, 3],
  ]) {
    addMetricSums(sums, ['r2', 'rmse', 'mae'], tensor(rows.map((i) => p[i])), tensor(rows.map((i) => y[i])));
  }
  // Column 0 is scikit-learn's r2_score example: 1 − 1.5/29.1875 = 0.9486081370449679.
  close(metricValue(sums, 'r2', 4), (0.9486081370449679 + 1) / 2);
  close(metricValue(sums, 'rmse', 4), Math.sqrt(1.5 / 8));
  close(metricValue(sums, 'mae', 4), 2 / 8);
  // A constant target predicted with an error gives 0, not −∞.
  const c: Record<string, number> = {};
  addMetricSums(c, ['r2'], tensor([[1], [2]]), tensor([[1], [1]]));
  assert.equal(metricValue(c, 'r2', 2), 0);
});

test("per-class precision, recall and F1 as scikit-learn's classification_report, zero where undefined", () => {
  // y_true 0,1,2,0,1,2 and y_pred 0,2,1,0,0,1: counts[true][predicted].
  const m = [
    [2, 0, 0],
    [1, 0, 1],
    [0, 2, 0],
  ];
  const rows = perClassScores(m, ['a', 'b', 'c']);
  close(rows[0].precision, 2 / 3);
  close(rows[0].recall, 1);
  close(rows[0].f1, 0.8);
  assert.deepEqual(
    rows.slice(1).map((r) => [r.precision, r.recall, r.f1, r.support]),
    [
      [0, 0, 0, 2],
      [0, 0, 0, 2],
    ],
  );
  // Never predicted and never present: 0 everywhere.
  assert.deepEqual(
    perClassScores(
      [
        [1, 0],
        [0, 0],
      ],
      ['x', 'y'],
    )[1],
    { label: 'y', precision: 0, recall: 0, f1: 0, support: 0 },
  );
  assert.match(formatClassScores(rows), /^macro avg +0\.222 +0\.333 +0\.267 +6$/m);
});

test('kFold: every row tested once, classes spread evenly, the same folds for the same seed', () => {
  const labels = Array.from({ length: 23 }, (_, i) => (i < 4 ? 2 : i % 2));
  const folds = kFold(23, 5, 7, labels);
  const tested = folds.flatMap((f) => Array.from(f.test)).sort((a, b) => a - b);
  assert.deepEqual(
    tested,
    Array.from({ length: 23 }, (_, i) => i),
  );
  for (const f of folds) {
    assert.equal(f.train.length + f.test.length, 23);
    assert.ok(
      Array.from(f.train).every((r) => !f.test.includes(r)),
      'train and test are disjoint',
    );
  }
  for (const c of [0, 1, 2]) {
    const counts = folds.map((f) => Array.from(f.test).filter((r) => labels[r] === c).length);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `class ${c} per fold: ${counts}`);
  }
  assert.deepEqual(kFold(23, 5, 7, labels), folds);
  assert.notDeepEqual(
    kFold(23, 5, 8, labels).map((f) => Array.from(f.test)),
    folds.map((f) => Array.from(f.test)),
  );
  assert.throws(() => kFold(3, 5, 1), /kFold: 5 folds need at least 5 rows, the data has 3/);
  assert.throws(() => kFold(10, 1, 1), /kFold: k must be an integer ≥ 2, got 1/);
});

/** Drives the callback as fit would: the model's weights set to `epoch` before each epoch's end. */
function runStopper(stopper: EarlyStopping, valLosses: number[], start = 1) {
  manualSeed(3);
  const model = mlp({ inputs: 2, hidden: [3], outputs: 1 });
  const ctx = { model, stopTraining: false } as unknown as FitContext;
  stopper.onTrainBegin(ctx);
  let epochs = start - 1;
  for (const [i, v] of valLosses.entries()) {
    for (const p of model.parameters()) p.data.fill(start + i);
    stopper.onEpochEnd(ctx, { epoch: start + i, lr: 0.1, seconds: 0, valLoss: v });
    epochs = start + i;
    if (ctx.stopTraining) break;
  }
  stopper.onTrainEnd(ctx, { history: [], epochs, stoppedEarly: ctx.stopTraining, interrupted: false } as FitResult);
  return { model, epochs };
}

test('EarlyStopping with restoreBestWeights loads the best epoch back, also after its state went through JSON', () => {
  const stopper = new EarlyStopping({ patience: 2, restoreBestWeights: true });
  const { model, epochs } = runStopper(stopper, [3, 1, 2, 2, 0]);
  assert.equal(epochs, 4, 'stopped two epochs after the best');
  assert.equal(stopper.restoredEpoch, 2);
  assert.ok(
    model.parameters().every((p) => p.data.every((v) => v === 2)),
    'the weights of epoch 2',
  );

  // Interrupted after epoch 2 and resumed from a checkpoint: the saved copy is restored at the end.
  const first = new EarlyStopping({ patience: 2, restoreBestWeights: true });
  runStopper(first, [3, 1]);
  const resumed = new EarlyStopping({ patience: 2, restoreBestWeights: true });
  assert.deepEqual(Object.keys(first.stateDict()).sort(), ['best', 'bestEpoch', 'wait'], 'no weights in the JSON');
  resumed.loadStateDict(JSON.parse(JSON.stringify(first.stateDict())), first.stateTensors());
  const after = runStopper(resumed, [2, 2], 3);
  assert.equal(resumed.restoredEpoch, 2);
  assert.ok(after.model.parameters().every((p) => p.data.every((v) => v === 2)));
  // A checkpoint of an earlier version held the best weights as number arrays in the JSON: read too.
  const legacy = new EarlyStopping({ patience: 2, restoreBestWeights: true });
  const arrays = Object.fromEntries(
    Object.entries(first.stateTensors()).map(([k, t]) => [k.slice('bestWeights.'.length), Array.from(t.data)]),
  );
  legacy.loadStateDict({ ...JSON.parse(JSON.stringify(first.stateDict())), bestWeights: arrays });
  runStopper(legacy, [2, 2], 3);
  assert.equal(legacy.restoredEpoch, 2);
  assert.throws(
    () => new EarlyStopping().loadStateDict({ best: 1, wait: 0 }, { 'bestWeights.w': tensor([1, NaN]) }),
    /bestWeights\.w: element 1 is NaN/,
  );

  // Without the option nothing is restored; a best epoch that is the last one needs no restore.
  const plain = new EarlyStopping({ patience: 2 });
  assert.ok(
    runStopper(plain, [3, 1, 2, 2])
      .model.parameters()
      .every((p) => p.data.every((v) => v === 4)),
  );
  const last = new EarlyStopping({ patience: 2, restoreBestWeights: true });
  runStopper(last, [3, 2, 1]);
  assert.equal(last.restoredEpoch, null);
  assert.throws(
    () => new EarlyStopping().loadStateDict({ best: 1, wait: 0, bestWeights: { w: [1, null] } }),
    /bestWeights: expected finite number arrays/,
  );
});

test('the target scale folded into the head: the model then predicts z·std + mean', () => {
  manualSeed(5);
  const model = mlp({ inputs: 3, hidden: [4], outputs: 2 });
  const x = tensor([
    [0.5, -1, 2],
    [1, 0, -0.25],
  ]);
  const z = noGrad(() => model.forward(x)).data;
  const scale = { mean: [100, -3], std: [40, 0.5] };
  foldTargetScale(model, scale);
  const y = noGrad(() => model.forward(x)).data;
  for (let i = 0; i < y.length; i++) close(y[i], z[i] * scale.std[i % 2] + scale.mean[i % 2], 1e-4);
  assert.throws(
    () => foldTargetScale(model, { mean: [1], std: [1] }),
    /foldTargetScale: a scale for 1 targets, the model predicts 2/,
  );
});
