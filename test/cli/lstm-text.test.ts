// `nabla train --data FILE.txt --model lstm` and `nabla generate`, spawned on the built CLI: a tiny
// character LSTM learns a repetitive text; its model file reloads as Embedding → LSTM → Linear and
// gives the validation loss metrics.json reports; generate continues a prompt reproducibly for a
// seed; export writes an ONNX file that onnxruntime runs to the reloaded model's logits; explain
// shows its shapes and FLOPs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { load } from '../../src/io/index.js';
import { crossEntropy, noGrad, tensor } from '../../src/index.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-lstm-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const nabla = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: tmp });

const text = 'the cat sat on the mat. '.repeat(400);
const textFile = join(tmp, 'abc.txt');
writeFileSync(textFile, text);
const out = join(tmp, 'lstm');
// The text's characters in code-point order, as CharTokenizer.fromText numbers them.
const chars = [...new Set(text)].sort();

test('a tiny character LSTM learns a repetitive text; its model file gives the validation loss it reports', () => {
  const r = nabla(
    'train',
    '--data',
    textFile,
    '--model',
    'lstm',
    '--context',
    '16',
    '--dim',
    '32',
    '--epochs',
    '2',
    '--lr',
    '1e-2',
    '--out',
    out,
    '--no-progress',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /training a character LSTM \(Embedding\(11, 32\) → LSTM\(32→32, 2 layers, batchFirst\) → Linear/,
  );
  assert.match(r.stdout, /epoch 2\/2 .* tokens\/s/);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.equal(metrics.final.vocabSize, 11);
  assert.deepEqual(metrics.run, {
    data: textFile,
    model: 'lstm',
    context: 16,
    numLayers: 2,
    hiddenSize: 32,
    lr: 0.01,
    epochs: 2,
    batchSize: 32,
    clip: 1,
    seed: 1,
  });
  // Uniform guessing costs log 11 = 2.40 nats; the text is nearly deterministic.
  assert.ok(metrics.final.valLoss < 0.5, `validation loss ${metrics.final.valLoss}`);
  // The reloaded model on the last tenth's windows of 16 (stride 16): the loss metrics.json reports.
  const { model } = load(join(out, 'model.safetensors'));
  assert.deepEqual(
    model.layers.map((l) => l.constructor.name),
    ['Embedding', 'LSTM', 'Linear'],
  );
  const ids = [...text].map((c) => chars.indexOf(c));
  const validation = ids.slice(Math.floor(ids.length * 0.9));
  const starts = Array.from({ length: Math.floor((validation.length - 17) / 16) + 1 }, (_, i) => i * 16);
  const x = starts.map((s) => validation.slice(s, s + 16));
  const y = starts.map((s) => validation.slice(s + 1, s + 17));
  model.eval();
  const loss = noGrad(() => crossEntropy(model.forward(tensor(x)), tensor(y)).item());
  assert.ok(Math.abs(loss - metrics.final.valLoss) < 1e-5, `${loss} vs ${metrics.final.valLoss}`);
});

test('generate continues a prompt from the LSTM, the same for the same seed; greedy it continues the text', () => {
  const a = nabla('generate', '--model', out, '--prompt', 'the ', '--tokens', '40', '--seed', '3');
  assert.equal(a.status, 0, a.stderr);
  assert.ok(a.stdout.startsWith('the ') && a.stdout.length > 40, a.stdout);
  assert.equal(nabla('generate', '--model', out, '--prompt', 'the ', '--tokens', '40', '--seed', '3').stdout, a.stdout);
  const greedy = nabla('generate', '--model', out, '--prompt', 'the cat sat on the mat. the cat', '--temperature', '0');
  assert.equal(greedy.status, 0, greedy.stderr);
  assert.ok(greedy.stdout.startsWith('the cat sat on the mat. the cat sat on the '), greedy.stdout);
  const bad = nabla('generate', '--model', out, '--prompt', 'the dog');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--prompt: CharTokenizer: character "d" \(U\+0064\) at position 4 is not in the vocabulary/);
});

test("export writes the LSTM's ONNX file, tokens [batch, context]; onnxruntime gives the model's logits", async () => {
  const r = nabla('export', '--model', out);
  assert.equal(r.status, 0, r.stderr);
  const tokens = Array.from({ length: 2 * 16 }, (_, i) => (i * 7) % 11);
  const session = await ort.InferenceSession.create(join(out, 'model.onnx'));
  const { output } = await session.run({ input: new ort.Tensor('float32', Float32Array.from(tokens), [2, 16]) });
  assert.deepEqual(output.dims, [2, 16, 11]);
  const { model } = load(join(out, 'model.safetensors'));
  model.eval();
  const expected = noGrad(() => model.forward(tensor(tokens, { shape: [2, 16] })));
  const got = output.data as Float32Array;
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - expected.data[i]) < 1e-4, `logit ${i}`);
});

test("explain shows the LSTM's steps and the head on every position, N·T rows", () => {
  const r = nabla('explain', '--model', out, '--batch-size', '8');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /g = X_t \+ h_\{t−1\}·W_hhᵀ \+ b_hh, per step : \[8×32\]·\[32×128\] → \[8×128\]/);
  assert.match(r.stdout, /y = x·W \+ b +: \[8·16×32\]·\[32×11\] \+ \[11\] → \[8·16×11\]/);
  assert.match(r.stdout, /loss: cross-entropy .*: \[8·16×11\] → scalar/);
  // Forward multiply-adds ×2: the LSTM 2 layers · 2·T·N·(in + H)·4H = 2·2·16·8·64·128 = 4.19 M;
  // the head 2·(N·T)·H·V + (N·T)·V = 2·128·32·11 + 128·11 = 91.5 k.
  assert.match(r.stdout, /layer 1: LSTM[^\n]*\n(.*\n)*? {2}FLOPs {5}forward 4\.19 M, backward 8\.39 M/);
  assert.match(r.stdout, /layer 2: Linear[^\n]*\n(.*\n)*? {2}FLOPs {5}forward 91\.5 k/);
});

test('--layers takes one count for an LSTM', () => {
  const r = nabla('train', '--data', textFile, '--model', 'lstm', '--layers', '32,32', '--out', join(tmp, 'no'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--layers 32,32: an LSTM takes one number, its count of stacked layers/);
});
