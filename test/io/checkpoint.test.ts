// Checkpoints: resuming from one reproduces uninterrupted training bit for bit (model, optimizer
// buffers and the PRNG behind dropout all restored); a bad checkpoint changes nothing; a write
// that fails or a process killed mid-write never replaces a good file.

import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getRngState, manualSeed, nn, optim, randn, type Tensor } from '../../src/index.js';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
  decodeSafetensors,
  encodeSafetensors,
} from '../../src/io/index.js';
import { assertBitIdentical, assertFileError } from './helpers.js';

type MakeOptimizer = (params: Iterable<Tensor>) => optim.Optimizer;
const optimizers: [string, MakeOptimizer][] = [
  ['SGD with Nesterov momentum', (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true })],
  ['Adam with amsgrad', (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true })],
  ['AdamW', (p) => new optim.AdamW(p, { lr: 0.01 })],
  ['RMSprop centered with momentum', (p) => new optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 })],
];

function makeModel(seed: number): nn.Sequential {
  manualSeed(seed);
  return new nn.Sequential(new nn.Linear(3, 8), new nn.Tanh(), new nn.Dropout(0.3), new nn.Linear(8, 2));
}

/** Steps of training on batches drawn from the global PRNG, which also drives dropout. */
function train(model: nn.Module, opt: optim.Optimizer, steps: number): void {
  for (let s = 0; s < steps; s++) {
    const x = randn([4, 3]);
    const y = randn([4, 2]);
    opt.zeroGrad();
    nn.mseLoss(model.forward(x), y).backward();
    opt.step();
  }
}

const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-ckpt-'));

for (const [name, makeOpt] of optimizers) {
  test(`resuming from a checkpoint reproduces uninterrupted training exactly (${name})`, () => {
    const dir = tmpDir();
    const file = path.join(dir, 'ckpt.safetensors');
    // Uninterrupted: 3 steps, the learning rate halved (as a scheduler would), 3 more steps.
    const ref = makeModel(1);
    const refOpt = makeOpt(ref.parameters());
    train(ref, refOpt, 3);
    refOpt.lr *= 0.5;
    train(ref, refOpt, 3);

    // Interrupted: the same first half, then a checkpoint.
    const first = makeModel(1);
    const firstOpt = makeOpt(first.parameters());
    train(first, firstOpt, 3);
    firstOpt.lr *= 0.5;
    const rngAtSave = getRngState();
    saveCheckpoint(file, { model: first, optimizer: firstOpt, epoch: 3, extra: { best: 0.25, history: [1, 0.5] } });

    // A new process, in effect: other weights, other PRNG state; all overwritten by the checkpoint.
    const resumed = makeModel(99);
    const resumedOpt = makeOpt(resumed.parameters());
    manualSeed(12345);
    const { epoch, extra } = loadCheckpoint(file, { model: resumed, optimizer: resumedOpt });
    assert.equal(epoch, 3);
    assert.deepEqual(extra, { best: 0.25, history: [1, 0.5] });
    assert.deepEqual(resumedOpt.stateDict(), firstOpt.stateDict());
    assert.deepEqual(getRngState(), rngAtSave);
    train(resumed, resumedOpt, 3);
    const refState = ref.stateDict();
    for (const [k, p] of Object.entries(resumed.stateDict())) assertBitIdentical(p, refState[k], k);
    assert.deepEqual(resumedOpt.stateDict(), refOpt.stateDict());
    fs.rmSync(dir, { recursive: true });
  });
}

test('checkpoint tensors hold the optimizer buffers by parameter index, e.g. Adam moments', () => {
  const model = makeModel(2);
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  train(model, opt, 2);
  const { tensors } = decodeSafetensors(encodeCheckpoint({ model, optimizer: opt, epoch: 1 }));
  assert.deepEqual(
    Object.keys(tensors).sort(),
    [
      'model.0.bias',
      'model.0.weight',
      'model.3.bias',
      'model.3.weight',
      ...[0, 1, 2, 3].flatMap((i) => [`optimizer.${i}.expAvg`, `optimizer.${i}.expAvgSq`]),
    ].sort(),
  );
  const expAvg = opt.stateDict().buffers[1].expAvg;
  assert.deepEqual(tensors['optimizer.1.expAvg'].data, expAvg);
});

test('a checkpoint that does not fit is rejected before anything changes', () => {
  const model = makeModel(3);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  train(model, opt, 2);
  const other = new nn.Sequential(new nn.Linear(3, 5), new nn.Tanh(), new nn.Linear(5, 2));
  const otherOpt = new optim.SGD(other.parameters(), { lr: 0.1, momentum: 0.9 });
  train(other, otherOpt, 1);
  const bytes = encodeCheckpoint({ model, optimizer: opt, epoch: 2 });

  const snapshot = () => ({
    params: other.parameters().map((p) => Array.from(p.data)),
    opt: otherOpt.stateDict(),
    rng: getRngState(),
  });
  const before = snapshot();
  assertFileError(
    () => decodeCheckpoint(bytes, 'c', { model: other, optimizer: otherOpt }),
    /shape \[3,8\], expected \[3,5\]/,
    'model.0.weight',
  );
  const adam = new optim.Adam(model.parameters());
  assertFileError(() => decodeCheckpoint(bytes, 'c', { model, optimizer: adam }), /holds SGD state, not Adam/);
  assert.deepEqual(snapshot(), before);

  // Tampered metadata and tensors are named too.
  const { tensors, metadata } = decodeSafetensors(bytes);
  const header = JSON.parse(metadata['nabla.checkpoint']) as Record<string, unknown>;
  const withHeader = (h: unknown, t: Record<string, Tensor> = tensors) =>
    encodeSafetensors(t, { 'nabla.checkpoint': JSON.stringify(h) });
  const target = { model, optimizer: opt };
  assertFileError(
    () => decodeCheckpoint(withHeader({ ...header, epoch: -1 }), 'c', target),
    /epoch/,
    'nabla.checkpoint.epoch',
  );
  assertFileError(
    () => decodeCheckpoint(withHeader({ ...header, rng: { words: [1, 2, 3], spareNormal: null } }), 'c', target),
    /PRNG/,
  );
  assertFileError(() => decodeCheckpoint(withHeader({ ...header, version: 7 }), 'c', target), /version/);
  const extraTensor = { ...tensors, 'model.9.weight': tensors['model.0.weight'] };
  assertFileError(
    () => decodeCheckpoint(withHeader(header, extraTensor), 'c', target),
    /unexpected tensor/,
    'model.9.weight',
  );
  const { ['optimizer.0.momentum']: _dropped, ...missing } = tensors;
  assertFileError(() => decodeCheckpoint(withHeader(header, missing), 'c', target), /missing/, 'optimizer.0.momentum');
  assertFileError(() => decodeCheckpoint(encodeSafetensors(tensors), 'c', target), /not a checkpoint/);
});

test('a write that fails midway leaves the previous checkpoint intact and no temp file', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'ckpt.safetensors');
  const model = makeModel(4);
  const opt = new optim.Adam(model.parameters());
  saveCheckpoint(file, { model, optimizer: opt, epoch: 1 });
  const good = fs.readFileSync(file);
  train(model, opt, 1);
  for (const failing of ['writeSync', 'fsyncSync', 'renameSync'] as const) {
    const original = fs[failing] as (...args: unknown[]) => unknown;
    const m = mock.method(fs, failing, (...args: unknown[]) => {
      // writeSync: write half of what was asked (a torn write), then fail like a full disk.
      if (failing === 'writeSync') original(args[0], args[1], args[2], Math.floor((args[3] as number) / 2));
      throw Object.assign(new Error(`simulated ${failing} failure`), { code: 'ENOSPC' });
    });
    try {
      // ENOSPC (a full disk) names the file, whichever call fails.
      assert.throws(
        () => saveCheckpoint(file, { model, optimizer: opt, epoch: 2 }),
        (e: Error) => e.message === `${file}: cannot write the file (ENOSPC)`,
      );
    } finally {
      m.mock.restore();
    }
    assert.deepEqual(fs.readFileSync(file), good, `after a failing ${failing} the old file is intact`);
    assert.deepEqual(fs.readdirSync(dir), ['ckpt.safetensors'], `after a failing ${failing} no temp file is left`);
  }
  const reloaded = loadCheckpoint(file, { model, optimizer: opt });
  assert.equal(reloaded.epoch, 1);
  fs.rmSync(dir, { recursive: true });
});

test('a process killed mid-write leaves the previous checkpoint intact', () => {
  const dir = tmpDir();
  const file = path.join(dir, 'ckpt.safetensors');
  const model = makeModel(5);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  saveCheckpoint(file, { model, optimizer: opt, epoch: 1 });
  const good = fs.readFileSync(file);
  const index = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/index.js');
  // The child writes half of the new checkpoint, then dies by SIGKILL: no cleanup code can run.
  const child = `
    import fs from 'node:fs';
    const { nn, optim, saveCheckpoint } = await import(${JSON.stringify(index)});
    const real = fs.writeSync;
    fs.writeSync = (fd, buf, off, len) => { real(fd, buf, off, Math.floor(len / 2)); process.kill(process.pid, 'SIGKILL'); };
    const model = new nn.Sequential(new nn.Linear(3, 8), new nn.Tanh(), new nn.Dropout(0.3), new nn.Linear(8, 2));
    saveCheckpoint(${JSON.stringify(file)}, { model, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epoch: 2 });`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', child]);
  assert.equal(r.signal, 'SIGKILL', r.stderr.toString());
  assert.deepEqual(fs.readFileSync(file), good);
  // The torn temp file is left behind (nothing can remove it after SIGKILL), under its own name.
  const left = fs.readdirSync(dir).filter((n) => n !== 'ckpt.safetensors');
  assert.equal(left.length, 1);
  assert.match(left[0], /^\.ckpt\.safetensors\.\d+\.[0-9a-z]+\.tmp$/);
  assert.equal(loadCheckpoint(file, { model, optimizer: opt }).epoch, 1);
  // The next successful write of the checkpoint removes it (its writer is gone).
  saveCheckpoint(file, { model, optimizer: opt, epoch: 3 });
  assert.deepEqual(fs.readdirSync(dir), ['ckpt.safetensors']);
  fs.rmSync(dir, { recursive: true });
});

test('a large optimizer state stays typed arrays from stateDict through the file and back (no training needed)', () => {
  // 2²² values per buffer: Adam's state is set directly, never trained; the path is the one a
  // 10⁸-parameter model takes, where a JavaScript array would pass V8's 2²⁷-element limit.
  const n = 2 ** 22;
  const model = new nn.Sequential(new nn.Linear(2048, 2048, { bias: false }));
  const [w] = model.parameters();
  assert.equal(w.size, n);
  const opt = new optim.Adam([w]);
  const expAvg = Float32Array.from({ length: n }, (_, i) => i * 1e-3);
  const expAvgSq = Float32Array.from({ length: n }, (_, i) => (i % 977) * 1e-6);
  opt.loadStateDict({ lr: 1e-3, steps: [7], buffers: [{ expAvg, expAvgSq }] });
  const state = opt.stateDict();
  assert.ok(state.buffers[0].expAvg instanceof Float32Array);
  assert.notEqual(state.buffers[0].expAvg, expAvg, 'stateDict hands out copies');
  const restored = new optim.Adam([w]);
  decodeCheckpoint(encodeCheckpoint({ model, optimizer: opt, epoch: 1 }), 'big', { model, optimizer: restored });
  const back = restored.stateDict();
  assert.equal(back.steps[0], 7);
  assert.ok(back.buffers[0].expAvgSq instanceof Float32Array);
  assert.deepEqual(back.buffers[0].expAvg, expAvg);
  assert.deepEqual(back.buffers[0].expAvgSq, expAvgSq);
});
