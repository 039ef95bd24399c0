// Weights that are NaN or infinite are refused on load, naming the tensor and the first bad
// element: by Module.loadStateDict (nothing is copied), by load/decodeModel, by the state-dict
// reader and by checkpoints (model tensors and optimizer state), each with an error of its own
// kind. `{ allowNonFinite: true }` loads them anyway.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, nn, optim, randn, tensor, ModelFileError } from '../../src/index.js';
import {
  decodeCheckpoint,
  decodeModel,
  decodeSafetensors,
  encodeCheckpoint,
  encodeModel,
  encodeSafetensors,
  loadStateDict,
  saveStateDict,
} from '../../src/io/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'nabla-nonfinite-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

/** The bytes of a safetensors file with one value replaced. */
function poisoned(bytes: Uint8Array, name: string, index: number, value: number): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(bytes);
  tensors[name].data[index] = value;
  return encodeSafetensors(tensors, metadata);
}

test('Module.loadStateDict refuses NaN and ±Inf naming the tensor and element, copies nothing, and loads them with allowNonFinite', () => {
  manualSeed(1);
  const model = new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU(), new nn.Linear(2, 1));
  const before = model.stateDict()['0.weight'].data.slice();
  for (const bad of [NaN, Infinity, -Infinity]) {
    const state = {
      ...model.stateDict(),
      '0.weight': tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      '2.bias': tensor([0]),
    };
    state['2.bias'] = tensor([bad]);
    assert.throws(() => model.loadStateDict(state), {
      message: `loadStateDict: 2.bias: element 0 is ${bad}: the weights are not finite (pass { allowNonFinite: true } to load them anyway)`,
    });
    assert.deepEqual(model.stateDict()['0.weight'].data, before, 'nothing copied before the refusal');
  }
  const state = { ...model.stateDict(), '2.weight': tensor([[0.5], [NaN]]) };
  model.loadStateDict(state, { allowNonFinite: true });
  assert.ok(Number.isNaN(model.stateDict()['2.weight'].data[1]));
});

test('load/decodeModel refuses non-finite weights with a ModelFileError naming file, tensor and element; allowNonFinite loads them', () => {
  manualSeed(2);
  const bytes = poisoned(encodeModel(new nn.Sequential(new nn.Linear(2, 3))), '0.weight', 4, NaN);
  assert.throws(
    () => decodeModel(bytes, 'nan.safetensors'),
    (e) =>
      e instanceof ModelFileError &&
      e.message === 'nan.safetensors: element 4 is NaN: the weights are not finite (at 0.weight)',
  );
  const { model } = decodeModel(bytes, 'nan.safetensors', { allowNonFinite: true });
  assert.ok(Number.isNaN(model.stateDict()['0.weight'].data[4]));
});

test('loadStateDict(path) refuses a tensor holding an infinity, naming it; allowNonFinite reads it', () => {
  const file = join(tmp, 'state.safetensors');
  saveStateDict({ a: tensor([1, 2]), b: tensor([3, -Infinity, 5]) }, file);
  assert.throws(
    () => loadStateDict(file),
    (e) =>
      e instanceof ModelFileError && e.message === `${file}: element 1 is -Infinity: the weights are not finite (at b)`,
  );
  assert.equal(loadStateDict(file, { allowNonFinite: true }).tensors.b.data[1], -Infinity);
});

test('a checkpoint with non-finite weights or optimizer state is refused before anything changes; allowNonFinite loads it', () => {
  manualSeed(3);
  const model = new nn.Sequential(new nn.Linear(2, 2));
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  model
    .forward(randn([4, 2]))
    .sum()
    .backward();
  optimizer.step();
  const bytes = encodeCheckpoint({ model, optimizer, epoch: 1 });
  const names = Object.keys(decodeSafetensors(bytes).tensors);
  const moment = names.find((n) => n.startsWith('optimizer.0.'))!;
  const weights = model.stateDict()['0.weight'].data.slice();
  assert.throws(
    () => decodeCheckpoint(poisoned(bytes, 'model.0.bias', 1, Infinity), 'c.ckpt', { model, optimizer }),
    (e) =>
      e instanceof ModelFileError &&
      e.message === 'c.ckpt: element 1 is Infinity: the weights are not finite (at model.0.bias)',
  );
  assert.throws(
    () => decodeCheckpoint(poisoned(bytes, moment, 0, NaN), 'c.ckpt', { model, optimizer }),
    (e) =>
      e instanceof ModelFileError &&
      e.message === `c.ckpt: element 0 is NaN: the optimizer state values are not finite (at ${moment})`,
  );
  assert.deepEqual(model.stateDict()['0.weight'].data, weights, 'the model is unchanged');
  decodeCheckpoint(
    poisoned(bytes, 'model.0.bias', 1, Infinity),
    'c.ckpt',
    { model, optimizer },
    { allowNonFinite: true },
  );
  assert.equal(model.stateDict()['0.bias'].data[1], Infinity);
});
