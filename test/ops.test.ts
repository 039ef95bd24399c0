// The op registry: every public op has sample cases with a PyTorch reference (forward and the
// gradient of Σ upstream ⊙ output), and passes a float64 gradcheck, on every backend.
// Adding an op to src/ops/index.ts without samples here and in the fixture script fails.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../src/ops/index.js';
import { gradcheck, setBackend, setDeterministic, Tensor, tensor, type DType } from '../src/index.js';
import { listBackends } from '../src/backend/index.js';
import { assertClose, fixture, TOL } from './helpers/compare.js';

interface OpCase {
  op: string;
  args: Record<string, unknown>;
  inputs: { shape: number[]; values: number[] }[];
  output: { shape: number[]; values: number[] };
  upstream: number[];
  grads: number[][];
}

type Args = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const other = (x: Tensor[], a: Args) => ('scalar' in a ? (a.scalar as number) : x[1]);

/** How each op is called from a sample's inputs and arguments. */
const REGISTRY: Record<string, (x: Tensor[], a: Args) => Tensor> = {
  add: (x, a) => ops.add(x[0], other(x, a)),
  sub: (x, a) => ops.sub(x[0], other(x, a)),
  mul: (x, a) => ops.mul(x[0], other(x, a)),
  div: (x, a) => ops.div(x[0], other(x, a)),
  neg: (x) => ops.neg(x[0]),
  exp: (x) => ops.exp(x[0]),
  log: (x) => ops.log(x[0]),
  sqrt: (x) => ops.sqrt(x[0]),
  abs: (x) => ops.abs(x[0]),
  tanh: (x) => ops.tanh(x[0]),
  sigmoid: (x) => ops.sigmoid(x[0]),
  softplus: (x) => ops.softplus(x[0]),
  relu: (x) => ops.relu(x[0]),
  leakyRelu: (x, a) => ops.leakyRelu(x[0], a.slope),
  gelu: (x) => ops.gelu(x[0]),
  erf: (x) => ops.erf(x[0]),
  pow: (x, a) => ops.pow(x[0], a.p),
  clamp: (x, a) => ops.clamp(x[0], a.min, a.max),
  reshape: (x, a) => ops.reshape(x[0], a.shape),
  permute: (x, a) => ops.permute(x[0], a.perm),
  transpose: (x, a) => ops.transpose(x[0], a.a, a.b),
  broadcastTo: (x, a) => ops.broadcastTo(x[0], a.shape),
  sumTo: (x, a) => ops.sumTo(x[0], a.shape),
  sum: (x, a) => ops.sum(x[0], a.axes, a.keepdim),
  mean: (x, a) => ops.mean(x[0], a.axes, a.keepdim),
  max: (x, a) => ops.max(x[0], a.axes, a.keepdim),
  matmul: (x) => ops.matmul(x[0], x[1]),
  matmulT: (x, a) => ops.matmulT(x[0], x[1], a.transA, a.transB),
  softmax: (x, a) => ops.softmax(x[0], a.axis),
  logSoftmax: (x, a) => ops.logSoftmax(x[0], a.axis),
  pick: (x, a) => ops.pick(x[0], a.labels),
  unpick: (x, a) => ops.unpick(x[0], a.labels, a.classes),
  binaryCrossEntropy: (x) => ops.binaryCrossEntropy(x[0], x[1]),
};

const { cases } = fixture<OpCase>('ops.json');
const publicOps = Object.entries(ops).filter(([, v]) => typeof v === 'function').map(([k]) => k).sort();

test('every public op has a registry entry and PyTorch samples, and nothing else does', () => {
  assert.deepEqual(Object.keys(REGISTRY).sort(), publicOps, 'registry entries vs src/ops/index.ts');
  assert.deepEqual([...new Set(cases.map((c) => c.op))].sort(), publicOps, 'fixture ops vs src/ops/index.ts');
});

function run(c: OpCase, dtype: DType) {
  const inputs = c.inputs.map((i) => tensor(i.values, { shape: i.shape, dtype, requiresGrad: true }));
  const y = REGISTRY[c.op](inputs, c.args);
  return { inputs, y };
}

const label = (c: OpCase, i: number) => `${c.op} #${i} ${c.inputs.map((x) => `[${x.shape}]`).join(' ')} ${JSON.stringify(c.args)}`;

for (const name of listBackends()) {
  describe(`ops on the ${name} backend`, () => {
    for (const dtype of ['float64', 'float32'] as const) {
      test(`forward and backward match PyTorch (${dtype})`, () => {
        setBackend(name);
        try {
          cases.forEach((c, i) => {
            const { inputs, y } = run(c, dtype);
            assert.deepEqual([...y.shape], c.output.shape, `${label(c, i)}: output shape`);
            assert.equal(y.dtype, dtype, `${label(c, i)}: output dtype`);
            assertClose(y.data, c.output.values, TOL[dtype], `${label(c, i)}: output`);
            y.backward(tensor(c.upstream, { shape: c.output.shape, dtype }));
            inputs.forEach((x, j) => {
              assertClose(x.grad ? x.grad.data : new Float64Array(x.size), c.grads[j], TOL[dtype], `${label(c, i)}: grad of input ${j}`);
            });
          });
        } finally {
          setBackend('js');
        }
      });
    }

    test('float64 gradcheck of every sample', () => {
      setBackend(name);
      try {
        cases.forEach((c, i) => {
          const inputs = c.inputs.map((x) => tensor(x.values, { shape: x.shape, dtype: 'float64' }));
          const report = gradcheck((...xs) => REGISTRY[c.op](xs, c.args), inputs, { raise: false });
          assert.ok(report.ok, `${label(c, i)}: ${JSON.stringify(report.failures[0])}`);
        });
      } finally {
        setBackend('js');
      }
    });
  });
}

// Every backend against the js reference on every registry case, in float32: the same outputs
// and gradients within float32 rounding; and under setDeterministic(true), bit-identical run to run.
function runAll(name: string): Float32Array[] {
  setBackend(name);
  try {
    return cases.flatMap((c) => {
      const { inputs, y } = run(c, 'float32');
      y.backward(tensor(c.upstream, { shape: c.output.shape, dtype: 'float32' }));
      return [y.data as Float32Array, ...inputs.map((x) => (x.grad ? (x.grad.data as Float32Array) : new Float32Array(x.size)))];
    });
  } finally {
    setBackend('js');
  }
}

for (const name of listBackends().filter((b) => b !== 'js')) {
  test(`${name} agrees with js on every registry case within float32 rounding, and is deterministic`, () => {
    const reference = runAll('js');
    const ours = runAll(name);
    reference.forEach((r, i) => assertClose(ours[i], r, 1e-5, `${name} vs js, result ${i}`));
    setDeterministic(true);
    try {
      const again = runAll(name);
      assert.deepEqual(runAll(name), again);
    } finally {
      setDeterministic(false);
    }
  });
}
