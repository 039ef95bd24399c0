// `nabla explain` reads layer specs and builds nothing: an MLP of 10¹⁰ parameters (40 GB of
// float32 if it were built) is explained at once, with the cap it exceeds named. The specs it
// reads for --layers and --cnn are the layers mlp() and cnn() build, and a model file's own.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, nn } from '../../src/index.js';
import { describeModel, encodeModel, load, save } from '../../src/io/index.js';
import { explainModelDir, explainSequential } from '../../src/cli/explain.js';
import { explainModel } from '../../src/nn/explain.js';
import type { InputSpec } from '../../src/cli/data.js';
import { mlpLayers, type MlpOptions } from '../../src/nn/mlp.js';
import { cnnLayers, type CnnOptions } from '../../src/nn/cnn.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const nabla = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });

test('nabla explain --layers 784,100000,100000,10 prints its formulas without building the 10¹⁰-parameter model', () => {
  // Built, the weights alone would need 40 GB: far beyond this process (and the 2^28 cap).
  const r = nabla('explain', '--layers', '784,100000,100000,10', '--batch-size', '8');
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /^layer 2: Linear\(100000→100000\) {3}10,000,100,000 parameters \(W 100000×100000 \+ b 100000\)$/m,
  );
  assert.match(r.stdout, /dL\/dW = xᵀ · dL\/dy +: \[100000×8\]·\[8×100000\] → \[100000×100000\]/);
  assert.match(
    r.stdout,
    /^parameters: 10,079,600,010 \(more than the cap of 268,435,456: nabla would not build this model\)$/m,
  );
});

test('explainModel reads specs only: the same text for a model and for its layers described', () => {
  manualSeed(1);
  const model = nn.mlp({ inputs: 4, hidden: [6], outputs: 3, activation: 'leakyrelu', dropout: 0.5 });
  const layers = mlpLayers({ inputs: 4, hidden: [6], outputs: 3, activation: 'leakyrelu', dropout: 0.5 });
  assert.equal(explainModel(layers, 8, 3), explainModel(describeModel(model).layers, 8, 3));
  assert.match(explainModel(layers, 8, 3), /^layer 1: LeakyReLU\(0\.01\) {3}no parameters$/m);
  assert.match(explainModel(layers, 8, 3), /^parameters: 51$/m);
});

test('mlpLayers and cnnLayers are the layers mlp() and cnn() build', () => {
  const mlps: MlpOptions[] = [
    { inputs: 784, hidden: [128], outputs: 10 },
    { inputs: 3, hidden: [5, 4], outputs: 1, activation: 'tanh', dropout: 0.2 },
    { inputs: 2, hidden: [], outputs: 2, activation: 'gelu', init: 'heNormal' },
  ];
  for (const o of mlps) assert.deepEqual(describeModel(nn.mlp(o)).layers, mlpLayers(o), JSON.stringify(o));
  const cnns: CnnOptions[] = [
    { imageShape: [1, 28, 28], outputs: 10 },
    { imageShape: [3, 9, 7], outputs: 4, channels: [5], hidden: [], dropout: 0 },
  ];
  for (const o of cnns) assert.deepEqual(describeModel(nn.cnn(o)).layers, cnnLayers(o), JSON.stringify(o));
});

test("nabla explain --model reads the model file's header only: a file whose tensors are cut off still explains", () => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-explain-'));
  try {
    manualSeed(2);
    const model = nn.mlp({ inputs: 4, hidden: [5], outputs: 3 });
    const input = {
      kind: 'csv',
      task: 'classification',
      inputs: 4,
      outputs: 3,
      classes: ['a', 'b', 'c'],
      featureNames: ['w', 'x', 'y', 'z'],
      target: 'k',
      standardizer: null,
      imageShape: null,
    };
    const bytes = encodeModel(model, { metadata: { input } });
    const headerEnd = 8 + Number(Buffer.from(bytes).readBigUInt64LE(0));
    writeFileSync(join(dir, 'model.safetensors'), bytes.subarray(0, headerEnd + 4)); // the tensors cut off
    const r = nabla('explain', '--model', dir, '--batch-size', '2');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^layer 0: Linear\(4→5\) {3}25 parameters/m);
    assert.match(r.stdout, /loss: cross-entropy .*: \[2×3\] → scalar/);
    assert.throws(() => load(join(dir, 'model.safetensors')), /ModelFileError|runs past|bytes/); // loading it reads the tensors, and fails
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('explainSequential, on the model in memory, prints what nabla explain --model prints once it is saved', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-explain-'));
  const csv = (task: InputSpec['task'], inputs: number, outputs: number): InputSpec => ({
    kind: 'csv',
    task,
    inputs,
    outputs,
    classes: task === 'classification' ? Array.from({ length: outputs }, (_, i) => `c${i}`) : null,
    featureNames: null,
    target: null,
    standardizer: null,
    imageShape: null,
  });
  const image: InputSpec = {
    kind: 'idx',
    task: 'classification',
    inputs: 3 * 9 * 7,
    outputs: 4,
    classes: ['0', '1', '2', '3'],
    featureNames: null,
    target: null,
    standardizer: null,
    imageShape: [3, 9, 7],
  };
  try {
    manualSeed(4);
    const cases: [nn.Sequential, InputSpec][] = [
      [nn.mlp({ inputs: 4, hidden: [5], outputs: 3 }), csv('classification', 4, 3)],
      [nn.mlp({ inputs: 3, hidden: [6, 2], outputs: 1, activation: 'tanh' }), csv('regression', 3, 1)],
      [nn.cnn({ imageShape: [3, 9, 7], outputs: 4, channels: [5], hidden: [], dropout: 0 }), image],
    ];
    for (const [model, input] of cases) {
      save(model, join(dir, 'model.safetensors'), { metadata: { input } });
      assert.equal(explainSequential(model, input, 8), explainModelDir(dir, 8), input.task);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
