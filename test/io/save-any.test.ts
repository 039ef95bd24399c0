// save / load of any layer-table module, not only a Sequential: the lone layer comes back as
// itself (typed by `as`, checked at run time), with PyTorch's state_dict names of that module.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { manualSeed, nn, randn, tensor } from '../../src/index.js';
import { generate } from '../../src/nn/generate.js';
import { decodeSafetensors, load, ModelFileError, save } from '../../src/io/index.js';
import { readLanguageModelDir } from '../../src/cli/modeldir.js';
import { assertBitIdentical } from './helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-save-any-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

test('a GPT saves alone and loads as a GPT: same logits, same greedy tokens, its own tensor names', () => {
  manualSeed(3);
  const gpt = new nn.GPT({ vocabSize: 11, contextLength: 8, embedDim: 16, numLayers: 2, numHeads: 2 }).eval();
  const file = path.join(dir, 'gpt.safetensors');
  save(gpt, file, { metadata: { note: 'alone' } });
  const { model, metadata } = load(file, { as: nn.GPT });
  assert.equal(model.config.numLayers, 2); // typed as a GPT, no cast
  assert.deepEqual(metadata, { note: 'alone' });
  const tokens = tensor([[1, 2, 3, 4]]);
  assertBitIdentical(model.forward(tokens), gpt.forward(tokens), 'logits');
  assert.deepEqual(
    generate(model, [1, 2], { maxNewTokens: 5, temperature: 0 }),
    generate(gpt, [1, 2], { maxNewTokens: 5, temperature: 0 }),
  );
  const names = Object.keys(decodeSafetensors(fs.readFileSync(file), file).tensors);
  assert.ok(names.includes('blocks.1.fc.weight') && !names.some((n) => n.startsWith('0.')), names.join());
  // A model directory holding a GPT saved alone serves nabla generate and export as one train wrote.
  fs.mkdirSync(path.join(dir, 'run'));
  fs.copyFileSync(file, path.join(dir, 'run', 'model.safetensors'));
  const fromDir = readLanguageModelDir(path.join(dir, 'run'))!;
  assertBitIdentical(fromDir.model.forward(tokens), gpt.forward(tokens), 'logits from the directory');
});

test('a Conv2d and an LSTM save alone (the LSTM with torch names in the torch layout) and load back bit for bit', () => {
  manualSeed(4);
  const conv = new nn.Conv2d(2, 3, 3, { padding: 1 });
  save(conv, path.join(dir, 'conv.safetensors'));
  const x = randn([2, 2, 5, 5]);
  assertBitIdentical(
    load(path.join(dir, 'conv.safetensors'), { as: nn.Conv2d }).model.forward(x),
    conv.forward(x),
    'conv',
  );
  const lstm = new nn.LSTM(3, 4, { numLayers: 2, batchFirst: true });
  const file = path.join(dir, 'lstm.safetensors');
  save(lstm, file, { layout: 'torch' });
  const names = Object.keys(decodeSafetensors(fs.readFileSync(file), file).tensors).sort();
  assert.deepEqual(names.slice(0, 4), ['bias_hh_l0', 'bias_hh_l1', 'bias_ih_l0', 'bias_ih_l1']); // torch.nn.LSTM's state_dict
  const seq = randn([2, 5, 3]);
  const [out] = load(file, { as: nn.LSTM }).model.forward(seq);
  assertBitIdentical(out, lstm.forward(seq)[0], 'lstm output');
});

test('the class is checked: a lone layer is not a Sequential, a Sequential is not a GPT; a custom module points to saveStateDict', () => {
  const file = path.join(dir, 'conv.safetensors');
  assert.throws(
    () => load(file),
    (e: Error) =>
      e instanceof ModelFileError &&
      /holds a lone Conv2d, not a Sequential: load it with \{ as: Conv2d \}/.test(e.message),
  );
  assert.throws(() => load(file, { as: nn.GPT }), /conv\.safetensors: the file holds a lone Conv2d, not a GPT/);
  const seqFile = path.join(dir, 'seq.safetensors');
  save(new nn.Sequential(new nn.Linear(2, 2)), seqFile);
  assert.ok(load(seqFile).model instanceof nn.Sequential);
  assert.throws(() => load(seqFile, { as: nn.GPT }), /holds a Sequential, not a GPT/);
  class Mine extends nn.Module {
    lin = new nn.Linear(2, 2);
    forward(x: ReturnType<typeof tensor>) {
      return this.lin.forward(x);
    }
  }
  assert.throws(() => save(new Mine(), path.join(dir, 'mine.safetensors')), /saveStateDict/);
  assert.ok(!fs.existsSync(path.join(dir, 'mine.safetensors')));
});
