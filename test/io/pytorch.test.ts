// exportPytorch and `nabla export --format pytorch` against PyTorch itself (/usr/bin/python3 with
// torch; skipped, saying so, where it cannot import torch): the generated model.py gives nabla's
// outputs on an MLP, CNNs and GPTs (every layer the export takes), and train_ddp.py trains under
// torchrun with 2 gloo processes and writes weights that nabla loads.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nn, noGrad, randn, manualSeed, tensor, type Tensor } from '../../src/index.js';
import type { Module } from '../../src/nn/module.js';
import { buildModel, decodeSafetensors, encodeSafetensors, exportPytorch, load, save } from '../../src/io/index.js';
import { cnnLayers } from '../../src/nn/cnn.js';
import { maxAbsDiff } from './helpers.js';

const PYTHON = '/usr/bin/python3';
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

const noTorch = (() => {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0
    ? false
    : `${PYTHON} -c "import torch" failed (${(r.stderr ?? r.error?.message ?? '').trim().split('\n').pop()}): install python3-torch to run the PyTorch export tests`;
})();
if (noTorch) console.log(`# skipped: ${noTorch}`);

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-pytorch-'));

/** Every parameter and buffer moved off its initial value (zero biases, unit LayerNorms), so a misplaced one shows. */
function perturb(model: Module): void {
  for (const [name, t] of Object.entries(model.stateDict() as Record<string, Tensor>)) {
    if (name.endsWith('numBatchesTracked')) continue;
    const noise = randn(t.shape, { dtype: t.dtype });
    for (let i = 0; i < t.size; i++) t.data[i] += 0.3 * noise.data[i];
  }
  for (const m of model.modules()) {
    const running = (m as unknown as { runningVar?: Tensor }).runningVar;
    if (running) running.data.forEach((v, i) => (running.data[i] = Math.abs(v) + 0.5));
  }
}

/** Runs model.py of each directory on its input (in.safetensors: x) in eval mode; returns y of each. */
function torchOutputs(dirs: string[]): Tensor[] {
  const script = `
import importlib.util, sys, torch
for i, d in enumerate(sys.argv[1:]):
    spec = importlib.util.spec_from_file_location(f'exported{i}', f'{d}/model.py')
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    net, _ = m.load(f'{d}/model.safetensors')
    x = m.read_safetensors(f'{d}/in.safetensors')[0]['x']
    with torch.no_grad():
        y = net.eval()(x)
    m.write_safetensors(f'{d}/out.safetensors', {'y': y.contiguous()}, {})
`;
  const r = spawnSync(PYTHON, ['-c', script, ...dirs], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  return dirs.map((d) => decodeSafetensors(fs.readFileSync(path.join(d, 'out.safetensors'))).tensors.y);
}

test('the generated model.py gives nabla outputs (MLP, CNNs, GPTs; float64 and float32)', { skip: noTorch }, () => {
  manualSeed(29);
  const f64 = { dtype: 'float64' as const };
  const mlp = new nn.Sequential(
    new nn.Linear(6, 16, f64),
    new nn.ReLU(),
    new nn.Dropout(0.2),
    new nn.Linear(16, 12, { ...f64, bias: false }),
    new nn.GELU(),
    new nn.LayerNorm(12, { ...f64, eps: 1e-3 }),
    new nn.LeakyReLU(0.1),
    new nn.Linear(12, 8, f64),
    new nn.BatchNorm1d(8, f64),
    new nn.Tanh(),
    new nn.Linear(8, 8, f64),
    new nn.SiLU(),
    new nn.Linear(8, 5, f64),
    new nn.Sigmoid(),
    new nn.LogSoftmax(1),
  );
  // The CLI's CNN (Unflatten, Conv2d, BatchNorm2d, ReLU, MaxPool2d, Dropout, Flatten, Linear), float32.
  const cnn = buildModel({
    format: 'nabla.sequential',
    version: 1,
    dtype: 'float32',
    layers: cnnLayers({ imageShape: [1, 8, 8], outputs: 3, channels: [4, 6], hidden: [10] }),
  });
  const convs = new nn.Sequential(
    new nn.Unflatten(1, [2, 36]),
    new nn.Conv1d(2, 4, 3, { padding: 'same', ...f64 }),
    new nn.Unflatten(2, [6, 6]),
    new nn.Conv2d(4, 6, 3, { stride: 2, padding: 1, dilation: 1, groups: 2, ...f64 }),
    new nn.Dropout2d(0.1),
    new nn.AvgPool2d(2, { stride: 1, ceilMode: true }),
    new nn.Conv2d(6, 4, 2, { padding: 'same', bias: false, ...f64 }),
    new nn.MaxPool2d(2, { stride: 1, padding: 1 }),
    new nn.AdaptiveAvgPool2d([2, 3]),
    new nn.Flatten(),
    new nn.Linear(24, 3, f64),
    new nn.Softmax(-1),
  );
  const gptUntied = new nn.Sequential(
    new nn.GPT({ vocabSize: 11, contextLength: 8, embedDim: 16, numLayers: 2, numHeads: 4, gelu: 'tanh', ...f64 }),
  );
  const gptTied = new nn.Sequential(
    new nn.GPT({
      vocabSize: 13,
      contextLength: 6,
      embedDim: 12,
      numLayers: 1,
      numHeads: 3,
      tiedHead: true,
      dropout: 0.1,
    }),
  );
  const tokens = (vocab: number, n: number, t: number, dtype: 'float32' | 'float64') =>
    tensor(
      Array.from({ length: n * t }, (_, i) => (i * 7 + 3) % vocab),
      { shape: [n, t], dtype },
    );
  const cases: [string, Module, Tensor, number][] = [
    ['MLP float64', mlp, randn([7, 6], f64), 1e-10],
    ['CNN float32', cnn, randn([5, 64]), 1e-5],
    ['convolutions and pools float64', convs, randn([4, 72], f64), 1e-10],
    ['GPT float64, tanh GELU', gptUntied, tokens(11, 3, 8, 'float64'), 1e-10],
    ['GPT float32, tied head', gptTied, tokens(13, 2, 5, 'float32'), 1e-5],
  ];
  const dirs = cases.map(([, model, x]) => {
    perturb(model);
    model.train();
    if (!(model.modules()[1] instanceof nn.GPT)) noGrad(() => model.forward(x)); // batch norms' running statistics move
    const dir = tmp();
    exportPytorch(model.eval(), dir);
    fs.writeFileSync(path.join(dir, 'in.safetensors'), encodeSafetensors({ x }));
    return dir;
  });
  const outputs = torchOutputs(dirs);
  cases.forEach(([name, model, x, tolerance], i) => {
    const expected = noGrad(() => model.forward(x));
    assert.deepEqual(outputs[i].shape, expected.shape, name);
    const d = maxAbsDiff(outputs[i].data, expected.data);
    assert.ok(d <= tolerance, `${name}: max |torch − nabla| = ${d}`);
    fs.rmSync(dirs[i], { recursive: true });
  });
});

test('a layer without a PyTorch counterpart, or a custom one, is refused by name before anything is written', () => {
  const root = tmp();
  const dir = path.join(root, 'out');
  const model = new nn.Sequential(new nn.Linear(4, 4), new nn.RMSNorm(4));
  assert.throws(() => exportPytorch(model, dir), /layer 1 \(RMSNorm\) has no PyTorch counterpart/);
  class Doubler extends nn.Module {
    forward(x: Tensor): Tensor {
      return x.mul(2);
    }
    override toString(): string {
      return 'Doubler';
    }
  }
  assert.throws(
    () => exportPytorch(new nn.Sequential(new nn.Linear(4, 4), new Doubler()), dir),
    /exportPytorch: layer 1 \(Doubler\) is not supported/,
  );
  assert.equal(fs.existsSync(dir), false);
  fs.rmSync(root, { recursive: true });
});

test(
  'nabla export --format pytorch, then torchrun with 2 gloo processes trains and nabla loads the weights',
  { skip: noTorch },
  () => {
    manualSeed(7);
    const root = tmp();
    const modelDir = path.join(root, 'run');
    const out = path.join(root, 'torch');
    fs.mkdirSync(modelDir);
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
    const input = {
      kind: 'csv',
      task: 'classification',
      inputs: 4,
      outputs: 3,
      classes: ['a', 'b', 'c'],
      featureNames: ['w', 'x', 'y', 'z'],
      target: 'label',
      standardizer: null,
      imageShape: null,
    };
    save(model, path.join(modelDir, 'model.safetensors'), { metadata: { input } });
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'export', '--format', 'pytorch', ...args], { encoding: 'utf8' });
    const same = cli('--model', modelDir, '--out', `${modelDir}/.`);
    assert.equal(same.status, 1);
    assert.match(same.stderr, /--out .*: the model's own directory/);
    const r = cli('--model', modelDir, '--out', out);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(fs.readdirSync(out).sort(), ['model.py', 'model.safetensors', 'train_ddp.py']);

    // 48 rows whose class is the sign pattern of two features: learnable, so the loss falls.
    const x = randn([48, 4]);
    const y = tensor(
      Array.from({ length: 48 }, (_, i) => (x.data[i * 4] > 0 ? 1 : 0) + (x.data[i * 4 + 1] > 0 ? 1 : 0)),
    );
    fs.writeFileSync(path.join(root, 'data.safetensors'), encodeSafetensors({ inputs: x, targets: y }));
    // torchrun as python3 -m; --redirects 1 --tee 1 because torch 1.13's defaults ('0') fail on
    // Python 3.11, whose IntFlag no longer lists the zero member (docs/pytorch.md).
    const run = spawnSync(
      PYTHON,
      [
        ...['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2', '--monitor_interval', '0.5'],
        ...['--redirects', '1', '--tee', '1', '--log_dir', path.join(root, 'logs'), path.join(out, 'train_ddp.py')],
        ...['--data', path.join(root, 'data.safetensors'), '--steps', '6', '--batch-size', '8', '--lr', '0.05'],
        ...['--log-every', '1'],
      ],
      { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' }, timeout: 120_000 },
    );
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const losses = [...run.stdout.matchAll(/step (\d+) {2}loss ([\d.]+)/g)].map((m) => Number(m[2]));
    assert.equal(losses.length, 6, run.stdout); // rank 0 alone prints
    assert.match(run.stdout, /wrote .*model\.safetensors/);

    const trained = load(path.join(out, 'model.safetensors'));
    assert.deepEqual(trained.metadata, { input });
    const before = noGrad(() => model.eval().forward(x));
    const after = noGrad(() => trained.model.forward(x));
    assert.ok(maxAbsDiff(before.data, after.data) > 1e-3, 'the weights moved');
    const loss = (logits: Tensor) => nn.crossEntropy(logits, y).data[0];
    assert.ok(loss(after) < loss(before), `nabla's loss on the rows: ${loss(before)} before, ${loss(after)} after`);
    fs.rmSync(root, { recursive: true });
  },
);
