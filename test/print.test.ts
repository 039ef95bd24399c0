// Printing as PyTorch prints: a tensor's values (torch's own str() of the same float32 values,
// test/fixtures/print.json from scripts/make_torch_print_fixtures.py) with nabla's dtype suffix,
// a model as torch's indented tree, and summary() as the committed table of `nabla explain`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { Tensor, tensor } from '../src/tensor.js';
import { Linear, ReLU, Tanh } from '../src/nn/layers/index.js';
import { Sequential } from '../src/nn/sequential.js';
import { Module } from '../src/nn/module.js';
import { summary } from '../src/nn/explain.js';
import { explainModel } from '../src/nn/explain.js';
import { mlpLayers } from '../src/nn/mlp.js';
import { formatValues } from '../src/show.js';

const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures');
const torch = JSON.parse(readFileSync(join(fixtures, 'print.json'), 'utf8')) as {
  tensors: { name: string; shape: number[]; values: (number | string)[]; torch: string }[];
  modules: { name: string; torch: string; parameters?: number }[];
};

/** A case's float32 values: JSON has no NaN or infinities, so the fixture writes them as 'nan', 'inf', '-inf'. */
const valuesOf = (c: { values: (number | string)[] }) =>
  Float32Array.from(c.values, (v) =>
    typeof v === 'number' ? v : v === 'nan' ? NaN : v === 'inf' ? Infinity : -Infinity,
  );

/** What console.log writes for these arguments. */
function logged(...args: unknown[]): string {
  let out = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString();
      done();
    },
  });
  new Console(sink).log(...args);
  return out;
}

for (const c of torch.tensors) {
  test(`tensor values print as torch's str(): ${c.name}`, () => {
    const t = new Tensor(valuesOf(c), c.shape);
    // torch's str() of a float32 tensor is tensor(<values>) with no suffix: compare the values.
    assert.equal(`tensor(${formatValues(t.data, t.shape, 'tensor('.length)})`, c.torch);
  });
}

test("console.log and String() of a tensor: torch's text with the dtype (and shape where values are left out)", () => {
  const small = torch.tensors.find((c) => c.name === '2x2 decimals')!;
  const t = new Tensor(valuesOf(small), small.shape);
  const expected = `${small.torch.slice(0, -1)}, dtype=float32)`;
  assert.equal(logged(t), `${expected}\n`);
  assert.equal(String(t), expected);
  const big = torch.tensors.find((c) => c.name === 'summarized 2x1000')!;
  assert.equal(
    String(new Tensor(valuesOf(big), big.shape)),
    `${big.torch.slice(0, -1)}, shape=[2,1000], dtype=float32)`,
  );
  assert.equal(
    String(tensor([1, 2], { dtype: 'float64', requiresGrad: true })),
    'tensor([1., 2.], dtype=float64, requiresGrad=true)',
  );
  const x = tensor([0.5], { requiresGrad: true });
  assert.equal(String(x.mul(x)), 'tensor([0.2500], dtype=float32, gradFn=<mul>)');
});

test("console.log and String() of a model: torch's indented tree", () => {
  const mlp = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 1, { bias: false }));
  const nested = new Sequential(new Sequential(new Linear(4, 8), new Tanh()), new Linear(8, 3));
  const expected = Object.fromEntries(torch.modules.map((m) => [m.name, m.torch]));
  assert.equal(logged(mlp), `${expected.mlp}\n`);
  assert.equal(String(nested), expected.nested);
  assert.equal(String(new Linear(784, 128)), expected.linear);
});

test("a module of one's own prints its children and its extraRepr(), as torch's extra_repr", () => {
  class Scaled extends Module {
    fc = new Linear(3, 2);
    constructor(readonly scale: number) {
      super();
    }
    override extraRepr(): string {
      return `scale=${this.scale}`;
    }
    forward(x: Tensor): Tensor {
      return this.fc.forward(x).mul(this.scale);
    }
  }
  assert.equal(
    String(new Scaled(2)),
    'Scaled(\n  scale=2\n  (fc): Linear(in_features=3, out_features=2, bias=True)\n)',
  );
});

test("summary() is the committed table, the layers of `nabla explain`, with torch's parameter count", () => {
  const mlp = new Sequential(new Linear(2, 16), new ReLU(), new Linear(16, 1, { bias: false }));
  const text = summary(mlp, [2], { batchSize: 32 });
  assert.equal(`${text}\n`, readFileSync(join(fixtures, 'summary-expected.txt'), 'utf8'));
  assert.match(text, new RegExp(`^parameters: ${torch.modules.find((m) => m.name === 'mlp')!.parameters}$`, 'm'));
  // The same layer lines as nabla explain prints for that MLP (one code for both).
  const explained = explainModel(mlpLayers({ inputs: 784, hidden: [128], outputs: 10 }), 64, 10, [784]);
  const summarized = summary(new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10)), [784], {
    batchSize: 64,
  });
  const layerLines = (s: string) =>
    s.split('\n').filter((l) => !l.startsWith('loss') && !l.startsWith('  backward  dL/dz'));
  assert.deepEqual(layerLines(summarized), layerLines(explained));
  assert.throws(
    () => summary(mlp, [0]),
    /summary: inputShape must be one sample's sizes, positive integers, got \[0\]/,
  );
});
