// relu never hides a NaN: on every backend, for both dtypes, with the hand-off of small work to
// js on and off (so each backend's own kernels run), the relu kernel, its derivative `step` and
// the fused bias+ReLU epilogue of matmul give PyTorch's values (torch 1.13, measured):
//   x                      NaN   −0   0   −1   2   ∞    −∞
//   torch.relu(x)          NaN   −0   0    0   2   ∞     0
//   d relu / dx (backward)   1    0   0    0   1   1     0
// Also through the tensor ops: x.relu(), its gradient, and nn.Linear + nn.ReLU in a Sequential
// (one fused backend call) give NaN for a NaN input.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listBackends, nn, ready, setBackend, tensor, type DType } from '../../src/index.js';
import { arrayKernels } from '../../src/backend/index.js';
import type { Data } from '../../src/backend/contract.js';
import { settings } from '../../src/backend/settings.js';

const dtypes: DType[] = ['float32', 'float64'];
const specials = [NaN, -0, 0, -1, 2, Infinity, -Infinity];
const torchRelu = [NaN, -0, 0, 0, 2, Infinity, 0];
const torchStep = [1, 0, 0, 0, 1, 1, 0];
const make = (dtype: DType, values: number[]): Data =>
  dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
/** The specials repeated to 1,031 values, so that SIMD bodies and scalar tails both see each one. */
const long = (values: number[]) => Array.from({ length: 1031 }, (_, i) => values[i % values.length]);

/** Same values, NaN as NaN and −0 apart from +0. */
function assertSame(got: Data, want: number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++)
    assert.ok(
      Object.is(got[i], want[i]),
      `${what}[${i}]: ${got[i]}, expected ${Object.is(want[i], -0) ? '-0' : want[i]}`,
    );
}

function eachBackend(run: (name: string, dtype: DType, handOff: boolean) => void): void {
  for (const name of listBackends())
    for (const dtype of dtypes)
      for (const handOff of [true, false]) {
        setBackend(name);
        settings.handOff = handOff;
        try {
          run(name, dtype, handOff);
        } finally {
          settings.handOff = true;
        }
      }
}

test('the relu and step kernels give torch values at NaN, ±0 and ±∞ on every backend', async () => {
  await ready();
  eachBackend((name, dtype, handOff) => {
    for (const [x, relu, step] of [
      [specials, torchRelu, torchStep],
      [long(specials), long(torchRelu), long(torchStep)],
    ]) {
      const what = `${name} ${dtype} (${x.length} values${handOff ? '' : ', no hand-off'})`;
      const out = make(
        dtype,
        x.map(() => 7),
      );
      arrayKernels().unary('relu', make(dtype, x), out);
      assertSame(out, relu, `relu ${what}`);
      arrayKernels().unary('step', make(dtype, x), out);
      assertSame(out, step, `step ${what}`);
    }
  });
});

test("matmul's fused bias+ReLU epilogue keeps NaN on every backend", async () => {
  await ready();
  eachBackend((name, dtype, handOff) => {
    // Sizes below and above the backends' hand-off and threading thresholds, and one row
    // (native runs it as a matrix-vector product).
    for (const [m, k, n] of [
      [3, 2, 5],
      [37, 65, 129],
      [1, 65, 129],
    ]) {
      const a = make(
        dtype,
        Array.from({ length: m * k }, (_, i) => ((i * 7) % 11) - 5),
      );
      const b = make(
        dtype,
        Array.from({ length: k * n }, (_, i) => ((i * 5) % 13) - 6),
      );
      const nanRow = Math.min(1, m - 1);
      a[nanRow * k] = NaN; // this row of the product is all NaN
      const bias = make(
        dtype,
        Array.from({ length: n }, (_, j) => (j % 3) - 1),
      );
      bias[n - 1] = NaN; // and so is its last column
      for (const withBias of [false, true]) {
        const out = make(dtype, new Array(m * n).fill(7));
        arrayKernels().matmul(a, b, out, {
          m,
          k,
          n,
          transA: false,
          transB: false,
          aOffset: 0,
          bOffset: 0,
          outOffset: 0,
          bias: withBias ? bias : undefined,
          relu: true,
        });
        const what = `${name} ${dtype} ${m}×${k}×${n}${withBias ? ' + bias' : ''}${handOff ? '' : ', no hand-off'}`;
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            const v = out[i * n + j];
            if (i === nanRow || (withBias && j === n - 1))
              assert.ok(Number.isNaN(v), `${what}: [${i},${j}] is ${v}, expected NaN`);
            else assert.ok(v >= 0, `${what}: [${i},${j}] is ${v}, expected relu ≥ 0`);
          }
      }
    }
  });
});

test('x.relu() and nn.Linear + nn.ReLU (fused) give NaN for a NaN input, with torch gradients, on every backend', async () => {
  await ready();
  eachBackend((name, dtype) => {
    const x = tensor(specials, { dtype }).requiresGrad_();
    const y = x.relu();
    assertSame(y.data, torchRelu, `relu ${name} ${dtype}`);
    y.sum().backward();
    assertSame(x.grad!.data, torchStep, `relu's gradient ${name} ${dtype}`);

    const model = new nn.Sequential(new nn.Linear(2, 3, { dtype }), new nn.ReLU());
    const out = model.forward(
      tensor(
        [
          [NaN, 1],
          [1, 1],
        ],
        { dtype },
      ),
    );
    const rows = Array.from(out.data);
    assert.ok(
      rows.slice(0, 3).every(Number.isNaN),
      `Linear+ReLU ${name} ${dtype}: row of a NaN input is ${rows.slice(0, 3)}`,
    );
    assert.ok(
      rows.slice(3).every((v) => v >= 0),
      `Linear+ReLU ${name} ${dtype}: finite row is ${rows.slice(3)}`,
    );
  });
});
