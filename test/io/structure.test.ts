// Untrusted structure never overflows the stack: values nested 10⁵ deep in a safetensors header,
// in the architecture or in a checkpoint, and files of 200,000 tensors, give ModelFileError;
// the training-loop state of a checkpoint (extra.fit) and a model directory's `input` metadata
// are validated before use.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, nn, optim, tensor, zeros, fit, ModelFileError } from '../../src/index.js';
import { ARCHITECTURE_KEY } from '../../src/io/model.js';
import {
  decodeModel,
  decodeSafetensors,
  encodeCheckpoint,
  encodeModel,
  encodeSafetensors,
  inspectBytes,
} from '../../src/io/index.js';
import { showValue } from '../../src/show.js';
import { LRSchedule } from '../../src/train/callbacks.js';
import { OneCycleLR, ReduceLROnPlateau, StepLR } from '../../src/optim/schedulers.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { readInputSpec } from '../../src/cli/input-spec.js';
import { assertFileError, rawFile } from './helpers.js';

const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const dir = mkdtempSync(join(tmpdir(), 'nabla-structure-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('showValue prints small values as JSON does and cuts deep or long ones', () => {
  for (const v of [null, 1.5, 'a"b', [1, [2, { c: true }]], { x: [] }]) assert.equal(showValue(v), JSON.stringify(v));
  assert.equal(showValue(JSON.parse(deep(100_000))), '[[[[[[[[[…]]]]]]]]]');
  assert.equal(showValue('x'.repeat(1000), 10), '"xxxxxxxxx…');
  assert.equal(
    showValue(
      Array.from({ length: 1e5 }, (_, i) => i),
      12,
    ),
    '[0,1,2,3,4,5…',
  );
});

test('a header field nested 10⁵ deep is a ModelFileError', () => {
  const header = `{"w":{"dtype":"F32","shape":${deep(100_000)},"data_offsets":[0,0]}}`;
  assertFileError(
    () => decodeSafetensors(rawFile(header), 'deep'),
    /shape \[\[\[\[\[\[\[\[\[…\]\]\]\]\]\]\]\]\] is not a list of non-negative integers/,
    'w',
  );
  const meta = `{"__metadata__":{"a":${deep(100_000)}}}`;
  assertFileError(() => decodeSafetensors(rawFile(meta), 'deep'), /metadata value 'a' is not a string/);
});

test('architecture metadata nested 10⁵ deep is a ModelFileError', () => {
  manualSeed(1);
  const model = new nn.Sequential(new nn.Linear(2, 3));
  const { tensors, metadata } = decodeSafetensors(encodeModel(model));
  const spec = JSON.parse(metadata[ARCHITECTURE_KEY]);
  for (const [field, value] of [
    ['inFeatures', deep(100_000)],
    ['type', deep(100_000)],
  ] as const) {
    const text = JSON.stringify({ ...spec, layers: [{ ...spec.layers[0], [field]: '@' }] }).replace('"@"', value);
    const file = encodeSafetensors(tensors, { ...metadata, [ARCHITECTURE_KEY]: text });
    assert.throws(
      () => decodeModel(file, 'deep.safetensors'),
      (e) => e instanceof ModelFileError && /\[\[\[\[\[\[\[\[\[…/.test(e.message),
      field,
    );
  }
  const versioned = encodeSafetensors(tensors, {
    ...metadata,
    [ARCHITECTURE_KEY]: JSON.stringify({ ...spec, version: '@' }).replace('"@"', deep(100_000)),
  });
  assertFileError(() => decodeModel(versioned, 'v'), /unsupported architecture version \[\[\[/);
});

test('200,000 tensors in a valid file: inspect lists them (no Math.max spread of their names)', () => {
  // Written by hand: building 200,000 Tensor objects to encode them would double the test's time.
  const header: Record<string, unknown> = {};
  for (let i = 0; i < 200_000; i++) header[`t${i}`] = { dtype: 'F32', shape: [0], data_offsets: [0, 0] };
  const listing = inspectBytes(rawFile(header), 'many.safetensors');
  assert.match(listing, /^many\.safetensors: safetensors, 200000 tensors, 0 values/);
  assert.match(listing, /\n {2}t199999 {2}F32 {2}\[0\]$/);
});

/** A checkpoint of a one-layer model with its loop state replaced by `fitState`. */
function checkpointWith(fitState: unknown): { file: string; run: (callbacks?: LRSchedule[]) => Promise<unknown> } {
  manualSeed(2);
  const model = new nn.Sequential(new nn.Linear(2, 1));
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.ckpt`);
  // "@deep" stands for a list nested 10⁵ deep, which JSON.stringify cannot write.
  const { tensors, metadata } = decodeSafetensors(
    encodeCheckpoint({ model, optimizer, epoch: 1, extra: { fit: fitState } }),
  );
  const text = metadata['nabla.checkpoint'].replace('"@deep"', deep(100_000));
  writeFileSync(file, encodeSafetensors(tensors, { 'nabla.checkpoint': text }));
  const data = new TensorDataset(
    tensor([
      [0, 1],
      [1, 0],
      [1, 1],
      [0, 0],
    ]),
    tensor([[1], [0], [1], [0]]),
  );
  const loss = (o: ReturnType<typeof zeros>, y: ReturnType<typeof zeros>) => o.sub(y).pow(2).mean();
  return {
    file,
    run: (callbacks = []) =>
      fit(model, { data, loss, optimizer, epochs: 3, batchSize: 2, callbacks, resumeFrom: file }),
  };
}

const logs = [{ epoch: 1, lr: 0.1, seconds: 0.1, loss: 0.5 }];
const position = { epoch: 1, batch: 1, order: [3, 1, 0, 2], sums: { loss: 1 }, samples: 2, seconds: 0.1 };

test('the loop state of a checkpoint (extra.fit) is validated before training resumes', async () => {
  const cases: [unknown, RegExp, string][] = [
    [null, /not a checkpoint written by fit \(no loop state\)/, 'nabla.checkpoint.extra.fit'],
    [
      { history: [], position: null, callbacks: [] },
      /expected a list of 1 epoch logs \(one per completed epoch\), got \[\]/,
      'nabla.checkpoint.extra.fit.history',
    ],
    [
      { history: [{ epoch: 2 }], position: null, callbacks: [] },
      /expected the logs of epoch 1 \(numbers by name\), got \{"epoch":2\}/,
      'nabla.checkpoint.extra.fit.history[0]',
    ],
    [
      { history: '@deep', position: null, callbacks: [] },
      /expected the logs of epoch 1 \(numbers by name\), got \[+…/,
      'nabla.checkpoint.extra.fit.history[0]',
    ],
    [
      { history: logs, position: { ...position, batch: 9 }, callbacks: [] },
      /is 9, expected an integer in 0\.\.2 \(batches per epoch\)/,
      'nabla.checkpoint.extra.fit.position.batch',
    ],
    [
      { history: logs, position: { ...position, epoch: 0 }, callbacks: [] },
      /is 0, expected 1, the epoch in progress/,
      'nabla.checkpoint.extra.fit.position.epoch',
    ],
    [
      { history: logs, position: { ...position, order: [0, 0, 1, 2] }, callbacks: [] },
      /entry 1 is 0: not a permutation of 0\.\.3/,
      'nabla.checkpoint.extra.fit.position.order',
    ],
    [
      { history: logs, position: { ...position, order: [0, 1] }, callbacks: [] },
      /expected a permutation of the 4 training samples, got 2 entries/,
      'nabla.checkpoint.extra.fit.position.order',
    ],
    [
      { history: logs, position: { ...position, sums: { loss: 'x' } }, callbacks: [] },
      /expected finite running sums by name/,
      'nabla.checkpoint.extra.fit.position.sums',
    ],
    [
      { history: logs, position: { ...position, samples: 1e9 }, callbacks: [] },
      /is 1000000000, expected an integer in 0\.\.4/,
      'nabla.checkpoint.extra.fit.position.samples',
    ],
    [
      { history: logs, position: { ...position, seconds: -1 }, callbacks: [] },
      /is -1, expected a non-negative number/,
      'nabla.checkpoint.extra.fit.position.seconds',
    ],
    [
      { history: logs, position: null, callbacks: [1] },
      /expected the state of 0 callbacks, got \[1\]/,
      'nabla.checkpoint.extra.fit.callbacks',
    ],
    [
      { history: logs, position: [1], callbacks: [] },
      /expected null or the position within an epoch, got \[1\]/,
      'nabla.checkpoint.extra.fit.position',
    ],
  ];
  for (const [state, problem, where] of cases) {
    const { file, run } = checkpointWith(state);
    await assert.rejects(run(), (e: unknown) => {
      assert.ok(e instanceof ModelFileError, `${String(e)}`);
      assert.match(e.message, problem);
      assert.equal(e.where, where);
      assert.equal(e.file, file);
      return true;
    });
  }
});

test('a callback state from a checkpoint is validated by the callback, named by its place', async () => {
  for (const [s, problem] of [
    [{ lastEpoch: -1, baseLr: 0.1 }, /StepLR\.loadStateDict: lastEpoch: expected a non-negative integer, got -1/],
    [{ lastEpoch: 1, baseLr: 'x' }, /StepLR\.loadStateDict: baseLr: expected a finite non-negative number, got "x"/],
    [7, /StepLR\.loadStateDict: expected \{ lastEpoch, baseLr \}, got 7/],
    [
      { lastEpoch: 1, baseLr: Infinity },
      /StepLR\.loadStateDict: baseLr: expected a finite non-negative number, got null/,
    ],
  ] as const) {
    const { run } = checkpointWith({ history: logs, position: null, callbacks: [s] });
    const m = new nn.Sequential(new nn.Linear(1, 1));
    const schedule = new LRSchedule(new StepLR(new optim.SGD(m.parameters(), { lr: 0.1 }), { stepSize: 1 }));
    await assert.rejects(
      run([schedule]),
      (e: unknown) =>
        e instanceof ModelFileError && problem.test(e.message) && e.where === 'nabla.checkpoint.extra.fit.callbacks[0]',
    );
  }
});

test("a model directory's input metadata is validated field by field", () => {
  const good = {
    kind: 'csv',
    task: 'classification',
    inputs: 2,
    outputs: 2,
    classes: ['a', 'b'],
    featureNames: ['x', 'y'],
    target: 'label',
    standardizer: { mean: [0, 1], std: [1, 2] },
    imageShape: null,
  };
  assert.deepEqual(readInputSpec(good, 'm'), good);
  const cases: [Record<string, unknown>, string][] = [
    [{ kind: 'zip' }, "input.kind is \"zip\", expected 'mnist', 'idx', 'images' or 'csv'"],
    [{ task: 1 }, "input.task is 1, expected 'classification' or 'regression'"],
    [
      { kind: 'images', featureNames: null, imageShape: [2, 1, 1] },
      'input.imageShape is [2,1,1], expected [C, H, W] with C 1 or 3 for an image folder',
    ],
    [{ inputs: 2 ** 30 }, 'input.inputs is 1073741824, expected an integer in 1..16777216'],
    [{ classes: ['a', 'a'] }, 'input.classes is ["a","a"], expected 2 distinct class names'],
    [{ classes: JSON.parse(deep(100_000)) }, 'input.classes is [[[[[[[[[…]]]]]]]]], expected 2 distinct class names'],
    [{ featureNames: ['x'] }, 'input.featureNames is ["x"], expected null or 2 column names'],
    [{ target: 5 }, 'input.target is 5, expected a column name or null'],
    [
      { standardizer: { mean: [0, 1], std: [1, 0] } },
      'input.standardizer is {"mean":[0,1],"std":[1,0]}, expected null or { mean, std }: 2 finite means and 2 finite positive deviations',
    ],
    [
      { imageShape: [1, 3, 3] },
      'input.imageShape is [1,3,3], expected null or [C, H, W] (or [H, W]) whose product is the 2 inputs',
    ],
    [{ task: 'regression', outputs: 3 }, 'input.outputs is 3, expected 1 for regression'],
    [{ task: 'regression', outputs: 1 }, 'input.classes is ["a","b"], expected null for regression'],
  ];
  for (const [change, problem] of cases) {
    const field =
      Object.keys(change).at(-1) === 'outputs' && change.task === 'regression' && change.outputs === 1
        ? 'classes'
        : Object.keys(change).at(-1);
    assertFileError(
      () => readInputSpec({ ...good, ...change }, 'm'),
      new RegExp(`^${problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
      `nabla.metadata.input.${field}`,
    );
  }
  assertFileError(
    () => readInputSpec(undefined, 'm'),
    /has no input description in its metadata: not written by nabla train/,
  );
});

test('scheduler states refuse what the schedule cannot be in', () => {
  const opt = () => new optim.SGD(new nn.Sequential(new nn.Linear(1, 1)).parameters(), { lr: 0.1 });
  const cycle = new OneCycleLR(opt(), { maxLr: 1, totalSteps: 4 });
  assert.throws(
    () => cycle.loadStateDict({ lastEpoch: 5, baseLr: 0.04 }),
    /^Error: OneCycleLR\.loadStateDict: lastEpoch 5 is past totalSteps = 4$/,
  );
  assert.throws(
    () => new ReduceLROnPlateau(opt()).loadStateDict(null as never),
    /^Error: ReduceLROnPlateau\.loadStateDict: expected an object, got null$/,
  );
});
