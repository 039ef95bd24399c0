// The CNN layers (src/nn/layers/conv.ts, pool.ts, batchnorm.ts, dropout.ts) as modules: batch
// norm's train/eval switch and buffers against PyTorch (test/fixtures/io/torch_batchnorm.json,
// made by scripts/make_torch_io_fixtures.py), buffers through save/load and checkpoints, PyTorch's
// default initialisation, Dropout2d, the model-file checks of the new fields, and the error
// messages of bad input, which name the layer and the shapes. The ops have their own fixtures in ops.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { manualSeed, nn, noGrad, ones, optim, randn, tensor, type NestedArray, type Tensor } from '../../src/index.js';
import {
  buildModel,
  decodeModel,
  describeModel,
  encodeModel,
  encodeOnnx,
  loadCheckpoint,
  MAX_PARAMETERS,
  ModelFileError,
  saveCheckpoint,
  validateSpec,
} from '../../src/io/index.js';
import { Buffer } from '../../src/nn/module.js';
import { FIXTURES } from '../io/fixtures.js';
import { maxAbsDiff } from '../io/helpers.js';

interface BatchNormCase {
  momentum: number;
  eps: number;
  weight: number[];
  bias: number[];
  batches: NestedArray[];
  train_last_output: NestedArray;
  running_mean: number[];
  running_var: number[];
  num_batches_tracked: number;
  eval_input: NestedArray;
  eval_output: NestedArray;
}
const bnCase = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'torch_batchnorm.json'), 'utf8')) as BatchNormCase;

/** PyTorch's BatchNorm2d of the fixture, after its three training steps (in nabla). */
function stepped(): { bn: nn.BatchNorm2d; lastTrain: Tensor } {
  const bn = new nn.BatchNorm2d(3, { momentum: bnCase.momentum, eps: bnCase.eps, dtype: 'float64' });
  bn.weight!.data.set(bnCase.weight);
  bn.bias!.data.set(bnCase.bias);
  let lastTrain: Tensor | null = null;
  noGrad(() => {
    for (const b of bnCase.batches) lastTrain = bn.forward(tensor(b, { dtype: 'float64' }));
  });
  return { bn, lastTrain: lastTrain! };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string, tol = 1e-12) => {
  const d = maxAbsDiff(a, b);
  assert.ok(d <= tol, `${what}: max diff ${d}`);
};

test('BatchNorm2d: training uses batch statistics and updates the running ones as PyTorch does; eval uses the running ones', () => {
  const { bn, lastTrain } = stepped();
  close(lastTrain.data, tensor(bnCase.train_last_output, { dtype: 'float64' }).data, 'training output');
  close(bn.runningMean!.data, bnCase.running_mean, 'running_mean');
  close(bn.runningVar!.data, bnCase.running_var, 'running_var');
  assert.equal(bn.numBatchesTracked!.data[0], bnCase.num_batches_tracked);
  const x = tensor(bnCase.eval_input, { dtype: 'float64' });
  close(noGrad(() => bn.eval().forward(x)).data, tensor(bnCase.eval_output, { dtype: 'float64' }).data, 'eval output');
  // eval() leaves the running statistics alone; train() normalises by the batch again.
  const before = Array.from(bn.runningMean!.data);
  noGrad(() => bn.forward(x));
  assert.deepEqual(Array.from(bn.runningMean!.data), before);
  assert.equal(bn.numBatchesTracked!.data[0], 3);
  const y = noGrad(() => bn.train().forward(x));
  assert.ok(maxAbsDiff(y.data, tensor(bnCase.eval_output, { dtype: 'float64' }).data) > 1e-3);
  assert.equal(bn.numBatchesTracked!.data[0], 4);
});

test('batch norm: buffers are in stateDict, not in parameters(); with trackRunningStats false there are none', () => {
  const bn = new nn.BatchNorm2d(3);
  assert.deepEqual(bn.parameters(), [bn.weight, bn.bias]);
  assert.deepEqual(Object.keys(bn.stateDict()), ['weight', 'bias', 'runningMean', 'runningVar', 'numBatchesTracked']);
  assert.ok(bn.runningMean instanceof Buffer && !bn.runningMean.requiresGrad);
  const model = new nn.Sequential(new nn.Conv2d(1, 3, 3), bn);
  assert.deepEqual(Object.keys(model.stateDict()), [
    '0.weight',
    '0.bias',
    '1.weight',
    '1.bias',
    '1.runningMean',
    '1.runningVar',
    '1.numBatchesTracked',
  ]);
  assert.equal(model.parameters().length, 4);

  const untracked = new nn.BatchNorm2d(2, { trackRunningStats: false });
  assert.deepEqual(Object.keys(untracked.stateDict()), ['weight', 'bias']);
  // Always batch statistics, in eval mode too (PyTorch's track_running_stats=False).
  manualSeed(1);
  const x = randn([4, 2, 3, 3]).mul(5).add(3);
  const y = noGrad(() => untracked.eval().forward(x));
  const mean = Array.from(y.data).reduce((a, v) => a + v, 0) / y.size;
  assert.ok(Math.abs(mean) < 1e-5, `normalised by the batch: mean ${mean}`);

  const plain = new nn.BatchNorm1d(4, { affine: false });
  assert.deepEqual(plain.parameters(), []);
  assert.deepEqual(Object.keys(plain.stateDict()), ['runningMean', 'runningVar', 'numBatchesTracked']);
  const z = noGrad(() => plain.forward(randn([8, 4]).mul(2).add(1)));
  for (let c = 0; c < 4; c++) {
    const col = Array.from({ length: 8 }, (_, n) => z.data[n * 4 + c]);
    const m = col.reduce((a, v) => a + v, 0) / 8;
    const v = col.reduce((a, u) => a + (u - m) ** 2, 0) / 8;
    assert.ok(Math.abs(m) < 1e-5 && Math.abs(v - 1) < 1e-3, `channel ${c}: mean ${m}, variance ${v} (γ 1, β 0)`);
  }
});

test('save/load keeps the running statistics (both layouts; PyTorch names and I64 in the torch one)', () => {
  const { bn } = stepped();
  const model = new nn.Sequential(new nn.Conv2d(3, 3, 1, { dtype: 'float64' }), bn).eval();
  const x = tensor(bnCase.eval_input, { dtype: 'float64' });
  const expected = noGrad(() => model.forward(x));
  for (const layout of ['nabla', 'torch'] as const) {
    const { model: back } = decodeModel(encodeModel(model, { layout }), 'm.safetensors');
    const b = back.layers[1] as nn.BatchNorm2d;
    assert.deepEqual(Array.from(b.runningMean!.data), Array.from(bn.runningMean!.data), layout);
    assert.deepEqual(Array.from(b.runningVar!.data), Array.from(bn.runningVar!.data), layout);
    assert.equal(b.numBatchesTracked!.data[0], 3, layout);
    assert.deepEqual(Array.from(noGrad(() => back.forward(x)).data), Array.from(expected.data), layout);
  }
  const header = (bytes: Uint8Array) =>
    JSON.parse(
      new TextDecoder().decode(
        bytes.subarray(8, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true))),
      ),
    ) as Record<string, { dtype: string }>;
  const torch = header(encodeModel(model, { layout: 'torch' }));
  assert.equal(torch['1.num_batches_tracked'].dtype, 'I64');
  assert.equal(torch['1.running_mean'].dtype, 'F64');
  assert.ok(!('1.runningMean' in torch));
  assert.equal(header(encodeModel(model))['1.numBatchesTracked'].dtype, 'I64');
});

test('a model whose only tensors are buffers (batch norm without affine) keeps their dtype in files and ONNX', () => {
  const model = new nn.Sequential(trainedPlain());
  assert.equal(model.dtype, 'float64');
  const { model: back } = decodeModel(encodeModel(model), 'm.safetensors');
  assert.equal(back.dtype, 'float64');
  assert.deepEqual(
    Array.from((back.layers[0] as nn.BatchNorm1d).runningVar!.data),
    Array.from((model.layers[0] as nn.BatchNorm1d).runningVar!.data),
  );
  encodeOnnx(model, { inputShape: [3] });
  assert.throws(
    () => describeModel(new nn.Sequential(new nn.Linear(3, 3), trainedPlain())),
    /the model mixes parameter dtypes float32 and float64/,
  );
});

function trainedPlain(): nn.BatchNorm1d {
  const bn = new nn.BatchNorm1d(3, { affine: false, dtype: 'float64' });
  noGrad(() => bn.forward(randn([5, 3], { dtype: 'float64' }).mul(2)));
  return bn;
}

test('a checkpoint keeps the running statistics', () => {
  manualSeed(4);
  const make = () =>
    new nn.Sequential(
      new nn.Conv2d(1, 2, 3),
      new nn.BatchNorm2d(2),
      new nn.ReLU(),
      new nn.Flatten(),
      new nn.Linear(8, 1),
    );
  const model = make();
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  for (let step = 0; step < 3; step++) {
    opt.zeroGrad();
    model
      .forward(randn([4, 1, 4, 4]).add(1))
      .mul(2)
      .mean()
      .backward();
    opt.step();
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-cnn-'));
  const file = path.join(dir, 'ck.safetensors');
  saveCheckpoint(file, { model, optimizer: opt, epoch: 2 });
  const other = make();
  loadCheckpoint(file, { model: other, optimizer: new optim.SGD(other.parameters(), { lr: 0.1 }) });
  const [a, b] = [model.layers[1], other.layers[1]] as nn.BatchNorm2d[];
  assert.ok(Array.from(a.runningMean!.data).some((v) => v !== 0));
  assert.deepEqual(Array.from(b.runningMean!.data), Array.from(a.runningMean!.data));
  assert.deepEqual(Array.from(b.runningVar!.data), Array.from(a.runningVar!.data));
  assert.equal(b.numBatchesTracked!.data[0], 3);
  fs.rmSync(dir, { recursive: true });
});

test('Conv2d and Conv1d initialise as PyTorch: weight and bias U(−1/√fanIn, 1/√fanIn), fanIn = C/groups·kH·kW', () => {
  manualSeed(5);
  for (const [conv, fanIn] of [
    [new nn.Conv2d(8, 64, 3), 72],
    [new nn.Conv2d(6, 60, [5, 2], { groups: 3 }), 20],
    [new nn.Conv1d(4, 500, 5), 20],
  ] as const) {
    const bound = 1 / Math.sqrt(fanIn);
    for (const t of [conv.weight, conv.bias!]) {
      const v = Array.from(t.data);
      assert.ok(
        v.every((x) => Math.abs(x) <= bound),
        `${conv}: within ±${bound}`,
      );
      if (v.length < 1000) continue;
      // Roughly uniform: each quarter of the interval holds a quarter of the values, within 5 standard deviations.
      const counts = [0, 0, 0, 0];
      for (const x of v) counts[Math.min(3, Math.floor(((x + bound) / (2 * bound)) * 4))]++;
      const tol = 5 * Math.sqrt((0.25 * 0.75) / v.length);
      for (const c of counts) assert.ok(Math.abs(c / v.length - 0.25) < tol, `${conv}: quarters ${counts}`);
      assert.ok(Math.max(...v) > 0.95 * bound && Math.min(...v) < -0.95 * bound, `${conv}: fills the interval`);
    }
  }
});

test('Dropout2d zeroes whole channels, scales the rest by 1/(1−p), and is the identity in eval', () => {
  manualSeed(6);
  const d = new nn.Dropout2d(0.5);
  const x = ones([20, 10, 3, 4]);
  const y = d.forward(x);
  let zeroed = 0;
  for (let nc = 0; nc < 200; nc++) {
    const plane = Array.from(y.data.subarray(nc * 12, nc * 12 + 12));
    assert.ok(plane.every((v) => v === plane[0]) && (plane[0] === 0 || plane[0] === 2), `channel ${nc}: ${plane}`);
    if (plane[0] === 0) zeroed++;
  }
  assert.ok(zeroed > 70 && zeroed < 130, `${zeroed} of 200 channels zeroed`);
  assert.equal(d.eval().forward(x), x);
  assert.ok(new nn.Dropout2d(0.3).forward(ones([2, 3, 5])).size === 30); // [N,C,L] too
  assert.throws(
    () => new nn.Dropout2d(0.5).forward(ones([2, 3])),
    /Dropout2d\(0\.5\): expected input \[N,C,H,W\] or \[N,C,L\], got \[2,3\]/,
  );
});

// ---- model files: the new layers' fields from untrusted specs ----

const spec = (...layers: Record<string, unknown>[]) => ({
  format: 'nabla.sequential',
  version: 1,
  dtype: 'float32',
  layers,
});
const conv = (over: Record<string, unknown> = {}) => ({
  type: 'Conv2d',
  inChannels: 3,
  outChannels: 4,
  kernelSize: [3, 3],
  stride: [1, 1],
  padding: [0, 0],
  dilation: [1, 1],
  groups: 1,
  bias: true,
  ...over,
});

function assertSpecError(s: unknown, problem: RegExp, where: string): void {
  assert.throws(
    () => buildModel(s, 'm.safetensors'),
    (e: unknown) => {
      assert.ok(e instanceof ModelFileError, `expected ModelFileError, got ${String(e)}`);
      assert.match(e.problem, problem);
      assert.equal(e.where, where);
      return true;
    },
  );
}

test('model files: the CNN layers round-trip through their specs', () => {
  manualSeed(7);
  const model = new nn.Sequential(
    new nn.Conv2d(3, 4, [3, 2], { stride: 2, padding: 1, dilation: [1, 2], groups: 1, bias: false }),
    new nn.BatchNorm2d(4, { eps: 1e-3, momentum: 0.2, affine: false }),
    new nn.MaxPool2d(2, { ceilMode: true, padding: 1 }),
    new nn.AvgPool2d([2, 1], { countIncludePad: false }),
    new nn.AdaptiveAvgPool2d([2, 3]),
    new nn.Dropout2d(0.1),
    new nn.Flatten(2),
    new nn.Conv1d(4, 2, 3, { padding: 'same', dilation: 2 }),
    new nn.BatchNorm1d(2, { trackRunningStats: false }),
  );
  const { model: back } = decodeModel(encodeModel(model), 'm.safetensors');
  assert.deepEqual(back.layers.map(String), model.layers.map(String));
  assert.deepEqual(encodeModel(back), encodeModel(model));
  validateSpec(spec(conv({ padding: 'same' })));
});

test('model files: bad CNN fields are ModelFileErrors naming the field, before anything is allocated', () => {
  assertSpecError(
    spec(conv({ kernelSize: [0, 3] })),
    /Conv2d\.kernelSize is \[0,3\], expected \[height, width\], integers in 1\.\.65536/,
    'architecture.layers[0].kernelSize',
  );
  assertSpecError(spec(conv({ kernelSize: 3 })), /Conv2d\.kernelSize is 3/, 'architecture.layers[0].kernelSize');
  assertSpecError(spec(conv({ padding: 'full' })), /Conv2d\.padding is "full"/, 'architecture.layers[0].padding');
  assertSpecError(spec(conv({ stride: [1, -1] })), /Conv2d\.stride/, 'architecture.layers[0].stride');
  // 65536² weights per channel pair: over MAX_PARAMETERS, refused from the declared shapes (allocating would need 16 GiB).
  assertSpecError(
    spec(conv({ kernelSize: [65_536, 65_536] })),
    new RegExp(`more than ${MAX_PARAMETERS} parameters`),
    'architecture.layers[0]',
  );
  assertSpecError(
    spec(conv({ inChannels: 2 ** 20, outChannels: 2 ** 20, kernelSize: [1, 1] })),
    /more than/,
    'architecture.layers[0]',
  );
  // Groups must divide both channel counts (the declared weight shape would be wrong otherwise).
  assertSpecError(
    spec(conv({ groups: 2 })),
    /Conv2d\.groups 2 must divide inChannels \(3\) and outChannels \(4\)/,
    'architecture.layers[0].groups',
  );
  assertSpecError(
    spec(conv({ inChannels: 4, outChannels: 6, groups: 4 })),
    /groups 4 must divide/,
    'architecture.layers[0].groups',
  );
  assertSpecError(
    spec({
      type: 'Conv1d',
      inChannels: 3,
      outChannels: 3,
      kernelSize: 2,
      stride: 1,
      padding: 0,
      dilation: 1,
      groups: 2,
      bias: true,
    }),
    /Conv1d\.groups 2 must divide/,
    'architecture.layers[0].groups',
  );
  assertSpecError(
    spec(conv({ padding: 'same', stride: [2, 1] })),
    /Conv2d\.padding "same" needs stride 1, got stride \[2,1\]/,
    'architecture.layers[0].padding',
  );
  const pool = {
    type: 'MaxPool2d',
    kernelSize: [2, 2],
    stride: [2, 2],
    padding: [0, 0],
    dilation: [1, 1],
    ceilMode: false,
  };
  assertSpecError(
    spec({ ...pool, padding: [2, 0] }),
    /MaxPool2d\.padding \[2,0\] must be at most half the kernel \[2,2\]/,
    'architecture.layers[0].padding',
  );
  assertSpecError(
    spec({
      type: 'AvgPool2d',
      kernelSize: [3, 1],
      stride: [1, 1],
      padding: [1, 1],
      ceilMode: false,
      countIncludePad: true,
    }),
    /AvgPool2d\.padding \[1,1\] must be at most half the kernel \[3,1\]/,
    'architecture.layers[0].padding',
  );
  assertSpecError(
    spec({ ...pool, ceilMode: 1 }),
    /MaxPool2d\.ceilMode is 1, expected a boolean/,
    'architecture.layers[0].ceilMode',
  );
  assertSpecError(
    spec({ type: 'AdaptiveAvgPool2d', outputSize: [0, 1] }),
    /AdaptiveAvgPool2d\.outputSize/,
    'architecture.layers[0].outputSize',
  );
  const bn = { type: 'BatchNorm2d', numFeatures: 4, eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true };
  assertSpecError(
    spec({ ...bn, eps: 0 }),
    /BatchNorm2d\.eps is 0, expected a positive number/,
    'architecture.layers[0].eps',
  );
  assertSpecError(spec({ ...bn, momentum: 2 }), /BatchNorm2d\.momentum is 2/, 'architecture.layers[0].momentum');
  assertSpecError(spec({ ...bn, numFeatures: 2 ** 40 }), /more than/, 'architecture.layers[0]');
  assertSpecError(spec({ type: 'Dropout2d', p: 1 }), /Dropout2d\.p is 1/, 'architecture.layers[0].p');
});

// ---- bad input names the layer and the shapes ----

test('a 3-channel image into Conv2d(1, …) names the layer and the shapes', () => {
  const c = new nn.Conv2d(1, 4, 3);
  assert.throws(
    () => c.forward(randn([2, 3, 8, 8])),
    /^Error: Conv2d\(1→4, 3×3\): expected input \[N,1,H,W\], got \[2,3,8,8\] \(3 channels\)$/,
  );
  assert.throws(() => c.forward(randn([8, 8])), /Conv2d\(1→4, 3×3\): expected input \[N,1,H,W\], got \[8,8\]/);
  assert.throws(
    () => new nn.Conv1d(2, 4, 3).forward(randn([1, 3, 8])),
    /Conv1d\(2→4, 3\): expected input \[N,2,L\], got \[1,3,8\] \(3 channels\)/,
  );
  // In a Sequential the message is the layer's own.
  assert.throws(
    () => new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.Conv2d(3, 2, 3)).forward(randn([1, 1, 8, 8])),
    /Conv2d\(3→2, 3×3\): expected input \[N,3,H,W\], got \[1,2,6,6\] \(2 channels\)/,
  );
});

test('a kernel larger than the padded input names the layer, the kernel and the padded size', () => {
  assert.throws(
    () => new nn.Conv2d(1, 2, 5, { padding: 1 }).forward(randn([1, 1, 2, 8])),
    /Conv2d\(1→2, 5×5\): conv2d: kernel 5×5 is larger than the padded input 4×10 \(input \[1,1,2,8\], padding \[1,1\]\)/,
  );
  assert.throws(
    () => new nn.Conv2d(1, 2, 3, { dilation: 3 }).forward(randn([1, 1, 6, 6])),
    /Conv2d\(1→2, 3×3\): .*kernel 3×3 \(7×7 dilated\) is larger than the padded input 6×6/,
  );
  assert.throws(
    () => new nn.Conv1d(1, 2, 4).forward(randn([1, 1, 3])),
    /Conv1d\(1→2, 4\): conv1d: kernel 4 is larger than the padded input 3 \(input \[1,1,3\], padding 0\)/,
  );
  assert.throws(
    () => new nn.MaxPool2d(3).forward(randn([1, 1, 2, 2])),
    /MaxPool2d\(3×3\).*kernel 3×3 is larger than the padded input 2×2/,
  );
  assert.throws(
    () => new nn.AvgPool2d(4, { padding: 1 }).forward(randn([1, 2, 1, 9])),
    /AvgPool2d\(4×4\).*kernel 4×4 is larger than the padded input 3×11/,
  );
});

test('channels not divisible by groups are refused, naming the layer and the counts', () => {
  assert.throws(
    () => new nn.Conv2d(3, 4, 3, { groups: 2 }),
    /Conv2d: inChannels \(3\) and outChannels \(4\) must be divisible by groups \(2\)/,
  );
  assert.throws(
    () => new nn.Conv2d(4, 6, 3, { groups: 4 }),
    /Conv2d: inChannels \(4\) and outChannels \(6\) must be divisible by groups \(4\)/,
  );
  assert.throws(
    () => new nn.Conv1d(3, 3, 3, { groups: 2 }),
    /Conv1d: inChannels \(3\) and outChannels \(3\) must be divisible by groups \(2\)/,
  );
});

test('every Conv1d error names Conv1d (or conv1d) and its 1-D shapes, never the Conv2d it runs on', () => {
  const cases: [() => unknown, string][] = [
    [() => new nn.Conv1d(2, 4, 0), 'Conv1d: kernelSize must be a positive integer, got 0'],
    [() => new nn.Conv1d(2, 4, 3, { stride: 0 }), 'Conv1d: stride must be a positive integer, got 0'],
    [() => new nn.Conv1d(2, 4, 3, { dilation: 1.5 }), 'Conv1d: dilation must be a positive integer, got 1.5'],
    [
      () => new nn.Conv1d(2, 4, 3, { padding: -1 }),
      "Conv1d: padding must be a non-negative integer, 'same' or 'valid', got -1",
    ],
    [
      () => new nn.Conv1d(2, 4, 3, { padding: 'same', stride: 2 }),
      "Conv1d: padding 'same' needs stride 1, got stride 2",
    ],
    [
      () => new nn.Conv1d(100_000, 100_000, 100),
      'Conv1d(100000→100000, 100): 1000000100000 parameters, more than the cap of 268435456',
    ],
    [
      () => new nn.Conv1d(2, 4, 3).forward(randn([1, 2, 8], { dtype: 'float64' })),
      'Conv1d(2→4, 3): conv1d: dtype mismatch: float64 [1,2,8] and float32 [4,2,3]; convert one first',
    ],
    [
      () =>
        nn.Conv1d.layer.build(
          { inChannels: 2, outChannels: 4, kernelSize: 3, stride: 1, padding: 0, dilation: 1, groups: 3, bias: true },
          'float32',
        ),
      'Conv1d: inChannels (2) and outChannels (4) must be divisible by groups (3)',
    ],
  ];
  for (const [run, message] of cases) assert.throws(run, (e: Error) => e.message === message, message);
});

test('batch norm in training mode with one value per channel is refused (PyTorch: "Expected more than 1 value per channel when training")', () => {
  const bn = new nn.BatchNorm1d(4);
  assert.throws(
    () => bn.forward(randn([1, 4])),
    /^Error: BatchNorm1d\(4\): batchNorm: expected more than 1 value per channel when training, got input shape \[1,4\]$/,
  );
  assert.throws(
    () => new nn.BatchNorm2d(3).forward(randn([1, 3, 1, 1])),
    /BatchNorm2d\(3\): batchNorm: expected more than 1 value per channel when training, got input shape \[1,3,1,1\]/,
  );
  // Nothing was updated by the refused step; eval mode takes a single value, and [1,C,H,W] with H·W > 1 trains.
  assert.equal(bn.numBatchesTracked!.data[0], 0);
  assert.deepEqual(Array.from(bn.runningMean!.data), [0, 0, 0, 0]);
  assert.equal(
    bn
      .eval()
      .forward(randn([1, 4]))
      .shape.join(),
    '1,4',
  );
  assert.equal(new nn.BatchNorm2d(3).forward(randn([1, 3, 2, 1])).shape.join(), '1,3,2,1');
  assert.throws(
    () => new nn.BatchNorm2d(3).forward(randn([2, 4, 2, 2])),
    /BatchNorm2d\(3\): expected input \[N,3,H,W\], got \[2,4,2,2\]/,
  );
  assert.throws(
    () => new nn.BatchNorm1d(3).forward(randn([2, 3, 2, 2])),
    /BatchNorm1d\(3\): expected input \[N,3\] or \[N,3,L\], got \[2,3,2,2\]/,
  );
});

test('a convolution whose patches would pass the tensor limit (padding 100000) is refused by name, not a RangeError', () => {
  const conv = new nn.Conv2d(1, 1, 3, { padding: 100000 });
  assert.throws(
    () => conv.forward(randn([1, 1, 4, 4])),
    /^Error: Conv2d\(1→1, 3×3\): conv2d: input \[1,1,4,4\] with a 3×3 kernel and padding 100000×100000 gives a 200002×200002 output whose patches are 360007200036 values, more than the limit of 2\^32$/,
  );
});
