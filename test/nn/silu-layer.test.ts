// SiLU, the layer added as one table entry (src/nn/layers/silu.ts): forward and gradient against
// PyTorch and the formula, save/load in both layouts, ONNX run by onnxruntime-node in both float
// dtypes, `nabla explain`, and a spec with an unknown field refused.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { gradcheck, manualSeed, nn, noGrad, randn, tensor, type DType, type Tensor } from '../../src/index.js';
import {
  buildModel,
  decodeModel,
  decodeSafetensors,
  describeModel,
  encodeModel,
  encodeOnnx,
  inspectBytes,
  save,
  SUPPORTED_LAYERS,
} from '../../src/io/index.js';
import { assertBitIdentical, assertFileError, maxAbsDiff } from '../io/helpers.js';
import { fixture } from '../helpers/compare.js';

interface SiluCase {
  op: string;
  inputs: { values: number[] }[];
  output: { values: number[] };
  upstream: number[];
  grads: number[][];
}

const model = (dtype: DType) =>
  new nn.Sequential(
    new nn.Linear(4, 6, { dtype }),
    new nn.SiLU(),
    new nn.Linear(6, 6, { dtype }),
    new nn.SiLU(),
    new nn.Linear(6, 3, { dtype }),
  );

const forward = (m: nn.Module, x: Tensor) => noGrad(() => m.eval().forward(x));

test('SiLU matches torch.nn.SiLU in value and gradient, and its gradient is σ(x)(1 + x(1 − σ(x)))', () => {
  // PyTorch 1.13's values: the op table's silu sample with given values (test/fixtures/ops.json,
  // from scripts/make_torch_fixtures.py), through the layer.
  const c = fixture<SiluCase>('ops.json').cases.find(
    (k) => k.op === 'silu' && k.inputs[0].values.join() === '-30,-2,0,1.5,30',
  );
  assert.ok(c, 'the fixture has the silu sample at x = [-30, -2, 0, 1.5, 30]');
  const xs = c.inputs[0].values;
  const x = tensor(xs, { dtype: 'float64' });
  x.requiresGrad = true;
  const y = new nn.SiLU().forward(x);
  y.backward(tensor(c.upstream, { dtype: 'float64' }));
  const sigma = (v: number) => 1 / (1 + Math.exp(-v));
  xs.forEach((v, i) => {
    assert.ok(
      Math.abs(y.data[i] - c.output.values[i]) <= 1e-15 * Math.max(1, Math.abs(v)),
      `y[${i}] = ${y.data[i]}, torch ${c.output.values[i]}`,
    );
    assert.ok(
      Math.abs(x.grad!.data[i] - c.grads[0][i]) <= 1e-15,
      `dx[${i}] = ${x.grad!.data[i]}, torch ${c.grads[0][i]}`,
    );
    const formula = c.upstream[i] * sigma(v) * (1 + v * (1 - sigma(v)));
    assert.ok(Math.abs(x.grad!.data[i] - formula) <= 1e-15, `dx[${i}] = ${x.grad!.data[i]}, formula ${formula}`);
  });
  manualSeed(40);
  assert.ok(gradcheck((t) => new nn.SiLU().forward(t), [randn([3, 5], { dtype: 'float64' })]).ok);
});

test('SiLU is in the table: described, built, listed, summarised', () => {
  assert.ok(SUPPORTED_LAYERS.includes('SiLU'));
  manualSeed(41);
  const spec = describeModel(model('float32'));
  assert.deepEqual(spec.layers[1], { type: 'SiLU' });
  const built = buildModel(spec);
  assert.ok(built.layers[1] instanceof nn.SiLU && built.layers[3] instanceof nn.SiLU);
  assert.match(
    inspectBytes(encodeModel(model('float32')), 'm.safetensors'),
    /architecture: float32: Linear\(4→6\) → SiLU → Linear\(6→6\) → SiLU → Linear\(6→3\)/,
  );
});

for (const dtype of ['float32', 'float64'] as const) {
  for (const layout of ['nabla', 'torch'] as const) {
    test(`a Sequential with SiLU round trips bit-identically (${dtype}, ${layout} layout)`, () => {
      manualSeed(42);
      const m = model(dtype);
      const x = randn([7, 4], { dtype });
      const { model: loaded } = decodeModel(encodeModel(m, { layout }), 'silu.safetensors');
      assert.deepEqual(describeModel(loaded), describeModel(m));
      for (const [k, p] of Object.entries(m.stateDict())) assertBitIdentical(loaded.stateDict()[k], p, k);
      assertBitIdentical(forward(loaded, x), forward(m, x), 'output');
    });
  }
}

test('the torch layout transposes the Linear weights around SiLU and stores nothing for SiLU', () => {
  manualSeed(43);
  const m = model('float32');
  const { tensors } = decodeSafetensors(encodeModel(m, { layout: 'torch' }));
  assert.deepEqual(Object.keys(tensors).sort(), ['0.bias', '0.weight', '2.bias', '2.weight', '4.bias', '4.weight']);
  for (const [name, [i, o]] of [
    ['0.weight', [4, 6]],
    ['2.weight', [6, 6]],
    ['4.weight', [6, 3]],
  ] as const) {
    const ours = m.stateDict()[name];
    assert.deepEqual(tensors[name].shape, [o, i]);
    for (let r = 0; r < i; r++)
      for (let c = 0; c < o; c++) assert.equal(tensors[name].data[c * i + r], ours.data[r * o + c]);
  }
  assert.deepEqual(tensors['2.bias'].shape, [6]);
});

for (const dtype of ['float32', 'float64'] as const) {
  // float64 is x / (1 + Exp(−x)): onnxruntime fuses Mul(x, Sigmoid(x)) into a float-only QuickGelu.
  const nodes =
    dtype === 'float32'
      ? [/Sigmoid\(add_1\) → sigmoid_2/, /Mul\(add_1, sigmoid_2\) → mul_3/]
      : [/Neg\(add_1\) → neg_2/, /Exp\(neg_2\) → exp_3/, /Add\(exp_3, 1\.one\) → add_4/, /Div\(add_1, add_4\) → div_5/];
  test(`SiLU exported to ONNX runs in onnxruntime-node within 1e-5 of nabla (${dtype})`, async () => {
    manualSeed(44);
    const m = model(dtype);
    const bytes = encodeOnnx(m, { inputShape: [4] });
    const listing = inspectBytes(bytes, 'silu.onnx');
    for (const node of nodes) assert.match(listing, node);
    assert.doesNotMatch(listing, /Cast/);
    const session = await ort.InferenceSession.create(bytes);
    for (const batch of [1, 9]) {
      const x = randn([batch, 4], { dtype }).mul(3);
      const expected = forward(m, x);
      const { output } = await session.run({ input: new ort.Tensor(dtype, x.data, x.shape as number[]) });
      assert.deepEqual(output.dims, expected.shape);
      assert.equal(output.type, dtype);
      const d = maxAbsDiff(output.data as Float32Array, expected.data);
      assert.ok(d <= 1e-5, `batch ${batch}: max |onnxruntime − nabla| = ${d}`);
    }
  });
}

test('nabla explain prints the SiLU formulas with their shapes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-silu-'));
  try {
    const modelDir = join(dir, 'model');
    mkdirSync(modelDir);
    manualSeed(45);
    const input = {
      kind: 'csv',
      task: 'classification',
      inputs: 4,
      outputs: 3,
      classes: ['a', 'b', 'c'],
      featureNames: null,
      target: null,
      standardizer: null,
      imageShape: null,
    };
    save(model('float32'), join(modelDir, 'model.safetensors'), { metadata: { input } });
    const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
    const r = spawnSync(process.execPath, [main, 'explain', '--model', modelDir, '--batch-size', '8'], {
      encoding: 'utf8',
      cwd: dir,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /layer 1: SiLU {3}no parameters\n {2}forward {3}y = x·σ\(x\) {3}: \[8×6\] → \[8×6\]\n {2}backward {2}dL\/dx = dL\/dy ⊙ σ\(x\)\(1 \+ x\(1 − σ\(x\)\)\)\n/,
    );
    assert.match(r.stdout, /layer 3: SiLU {3}no parameters/);
    assert.match(r.stdout, /parameters: 93\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('buildModel refuses a SiLU spec with an unknown field, naming it', () => {
  manualSeed(46);
  const spec = describeModel(model('float32'));
  const bad = { ...spec, layers: spec.layers.map((l, i) => (i === 1 ? { ...l, beta: 1 } : l)) };
  assertFileError(() => buildModel(bad, 'bad.json'), /unknown field for SiLU/, 'architecture.layers[1].beta');
});
