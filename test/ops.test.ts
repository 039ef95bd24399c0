// The op-table suite: every entry of src/ops (opTable) is checked from its own samples, on every
// backend, with the backends' small-size hand-off to js turned off so that each backend runs its
// own kernels: forward and backward against PyTorch (test/fixtures/ops.json, written by
// `npm run fixtures` from the samples the table exports), float64 gradcheck, second derivatives
// for the entries that declare them, agreement with js within float32 rounding, bit-identical
// reruns under setDeterministic, and the error cases. It reports, per backend and dtype, how
// many cases ran on that backend's own kernels alone. A child process runs the wasm part again
// on the relaxed-SIMD build.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { opTable, type OpName } from '../src/ops/index.js';
import { grad, gradcheck, setBackend, setDeterministic, Tensor, tensor } from '../src/index.js';
import { arrayKernels, listBackends, ownKernels } from '../src/backend/index.js';
import { settings } from '../src/backend/settings.js';
import { wasmBuild } from '../src/backend/wasm/index.js';
import { KERNEL_IO, type KernelName } from '../src/backend/contract.js';
import { KERNEL_TABLE } from '../src/backend/table.js';
import { nativeBuild } from '../src/backend/native/index.js';
import { poolDebug } from '../src/backend/pool.js';
import type { InputSample } from '../src/ops/op.js';
import { assertClose, TOL } from './helpers/compare.js';
import { call, cases, label, opsFixture, run, type OpCase } from './helpers/op-cases.js';
import { opSamplesJson, sha256 } from './helpers/op-export.js';

/** Set in the relaxed-SIMD child process: only the wasm backend, which must be that build. */
const CHILD = process.env.NABLA_OPS_RELAXED_CHILD === '1';

// Every output a kernel writes whole (its `write` role) starts as NaN here instead of the zeros
// or old values it would hold: a kernel that leaves part of such an output unwritten fails.
poolDebug.poison = true;
const entries = Object.values(opTable).map((op) => op.entry);

test('every op-table entry has its samples in the PyTorch fixture, and the fixture has nothing else', () => {
  const want = entries.flatMap((e) =>
    e.samples.map(
      (s, index) =>
        `${e.name} #${index} ${JSON.stringify(s.inputs.map((i) => i.shape))} ${JSON.stringify(s.args ?? {})}`,
    ),
  );
  const got = cases.map(
    (c) => `${c.op} #${c.index} ${JSON.stringify(c.inputs.map((i) => i.shape))} ${JSON.stringify(c.args)}`,
  );
  assert.deepEqual(got, want, 'test/fixtures/ops.json is out of date: run npm run fixtures');
  // Made from exactly today's samples and torch counterparts (values, flags and expressions too).
  assert.equal(
    opsFixture.samplesSha256,
    sha256(opSamplesJson()),
    'test/fixtures/ops.json was made from other samples: run npm run fixtures',
  );
  for (const e of entries) {
    assert.ok(e.samples.length > 0, `${e.name}: no samples`);
    assert.ok(e.torch.length > 0, `${e.name}: no torch counterpart`);
  }
});

/** Runs fn and says whether every kernel it called was the active backend's own, with no hand-off to js. */
function onOwnKernels<T>(name: string, fn: () => T): [T, boolean] {
  const active = arrayKernels() as unknown as Record<string, (...a: unknown[]) => unknown>;
  const own = new Set<KernelName>(ownKernels(name));
  const saved = new Map<string, (...a: unknown[]) => unknown>();
  let foreign = false;
  for (const k of Object.keys(active)) {
    const f = active[k];
    if (typeof f !== 'function') continue;
    saved.set(k, f);
    if (!own.has(k as KernelName)) {
      active[k] = (...a: unknown[]) => {
        foreign = true;
        return f(...a);
      };
    }
  }
  const before = settings.handOffs;
  try {
    const result = fn();
    return [result, !foreign && settings.handOffs === before];
  } finally {
    for (const [k, f] of saved) active[k] = f;
  }
}

/** With the backend active and its hand-off of small work to js off. */
function onBackend<T>(name: string, fn: () => T): T {
  setBackend(name);
  settings.handOff = false;
  try {
    return fn();
  } finally {
    settings.handOff = true;
    setBackend('js');
  }
}

/**
 * The float64 inputs of a case split for finite differences: the function of the sample's
 * varying inputs (its constant inputs, such as running statistics, held fixed) and those inputs.
 */
function varying(c: OpCase): { fn: (...xs: Tensor[]) => Tensor; inputs: Tensor[] } {
  const specs = opTable[c.op].entry.samples[c.index].inputs;
  const all = c.inputs.map((x) => tensor(x.values, { shape: x.shape, dtype: 'float64' }));
  const free = all.map((_, j) => j).filter((j) => !specs[j].constant);
  const fn = (...xs: Tensor[]) =>
    call(
      c,
      all.map((x, j) => (free.includes(j) ? xs[free.indexOf(j)] : x)),
    );
  return { fn, inputs: free.map((j) => all[j]) };
}

/** Samples where finite differences apply (not those at an op's clamp). */
const differentiable = (c: OpCase) => opTable[c.op].entry.samples[c.index].gradcheck !== false;

const backends = CHILD ? ['wasm'] : listBackends();

if (CHILD) {
  test('the child runs the relaxed-SIMD wasm build', () => {
    assert.equal(wasmBuild()?.relaxed, true, 'wasm is not the relaxed-SIMD build');
  });
}

/** Whether a backend has every kernel js has (and so must run every case on its own kernels). */
const complete = (name: string) => ownKernels('js').every((k) => ownKernels(name).includes(k));

test('each backend says which kernels are its own and which run on js', (t) => {
  const js = ownKernels('js');
  for (const name of backends) {
    const own = ownKernels(name);
    assert.ok(
      own.every((k) => k in KERNEL_IO),
      `${name} registers kernels the contract does not have`,
    );
    const onJs = js.filter((k) => !own.includes(k));
    t.diagnostic(`${name}: own kernels ${own.join(', ')}${onJs.length ? `; on js: ${onJs.join(', ')}` : ''}`);
  }
  // The native kernels that run on oneDNN: the conv family's (native/src/conv.c) and float32 max
  // pooling (pool.c). Batch norm runs on nabla's own (native/src/rows.c): bench/KERNELS.md says why.
  const dnn = nativeBuild()?.dnn;
  const onDnn = [
    ...Object.keys(KERNEL_TABLE).filter((k) => KERNEL_TABLE[k as KernelName].family === 'conv'),
    'maxPool2d (float32)',
  ];
  if (backends.includes('native'))
    t.diagnostic(
      dnn
        ? `native: ${onDnn.join(', ')} run on ${dnn}`
        : `native: built without oneDNN (conv2d runs through im2col, maxPool2d on nabla's loop)`,
    );
});

for (const name of backends) {
  describe(`ops on the ${name} backend`, () => {
    for (const dtype of ['float64', 'float32'] as const) {
      test(`forward and backward match PyTorch (${dtype})`, (t) => {
        let own = 0;
        onBackend(name, () => {
          for (const c of cases) {
            const [{ inputs, y }, mine] = onOwnKernels(name, () => run(c, dtype));
            if (mine) own++;
            assert.deepEqual([...y.shape], c.output.shape, `${label(c)}: output shape`);
            assert.equal(y.dtype, dtype, `${label(c)}: output dtype`);
            assertClose(y.data, c.output.values, TOL[dtype], `${label(c)}: output`);
            inputs.forEach((x, j) => {
              assertClose(
                x.grad ? x.grad.data : new Float64Array(x.size),
                c.grads[j],
                TOL[dtype],
                `${label(c)}: grad of input ${j}`,
              );
            });
          }
        });
        t.diagnostic(`${name} ${dtype}: ${own} of ${cases.length} cases ran on ${name}'s own kernels alone`);
        // A backend that registers every kernel must run every case on them, with no hand-off.
        if (complete(name)) assert.equal(own, cases.length, `${name} ${dtype}: cases that reached js`);
      });
    }

    test('float64 gradcheck of every sample', () => {
      onBackend(name, () => {
        for (const c of cases.filter(differentiable)) {
          const { fn, inputs } = varying(c);
          const report = gradcheck(fn, inputs, { raise: false });
          assert.ok(report.ok, `${label(c)}: ${JSON.stringify(report.failures[0])}`);
        }
      });
    });

    test('float64 second derivatives of the entries that declare them', () => {
      onBackend(name, () => {
        for (const c of cases.filter((k) => opTable[k.op].entry.secondOrder && differentiable(k))) {
          const { fn, inputs } = varying(c);
          const upstream = tensor(c.upstream, { shape: c.output.shape, dtype: 'float64' });
          // The gradient of Σ upstream ⊙ op(x), itself differentiated: Hessian-vector products.
          const firstOrder = (...xs: Tensor[]) => {
            const gs = grad(
              fn(...xs)
                .mul(upstream)
                .sum(),
              xs,
              { createGraph: true, allowUnused: true },
            );
            return gs.reduce(
              (acc: Tensor, g, i) => (g ? acc.add(g.mul(xs[i]).sum()) : acc),
              tensor(0, { dtype: 'float64' }),
            );
          };
          const report = gradcheck(firstOrder, inputs, { raise: false });
          assert.ok(report.ok, `${label(c)} (second order): ${JSON.stringify(report.failures[0])}`);
        }
      });
    });
  });
}

// Every backend against the js reference on every case, in float32: the same outputs and
// gradients within float32 rounding; and under setDeterministic(true), bit-identical run to run.
function runAll(name: string): Float32Array[] {
  return onBackend(name, () =>
    cases.flatMap((c) => {
      const { inputs, y } = run(c, 'float32');
      return [
        y.data as Float32Array,
        ...inputs.map((x) => (x.grad ? (x.grad.data as Float32Array) : new Float32Array(x.size))),
      ];
    }),
  );
}

for (const name of backends.filter((b) => b !== 'js')) {
  test(`${name} agrees with js on every case within float32 rounding, and is deterministic`, () => {
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

/** Sample values for an error case: a fixed ramp (only shapes and attributes matter there). */
const errorInput = (s: InputSample) => {
  const n = s.shape.reduce((p, d) => p * d, 1);
  return tensor(
    s.values ??
      Array.from({ length: n }, (_, i) => (s.positive || s.unit ? 0.1 + (0.8 * i) / Math.max(n, 1) : i - n / 2)),
    { shape: s.shape, dtype: 'float64' },
  );
};

if (!CHILD) {
  test('logSumExp of a row of −∞ is −∞ and of a row holding +∞ is +∞ (log 0, log ∞), not NaN', () => {
    const y = opTable.logSumExp(tensor([-Infinity, -Infinity, Infinity, 1], { shape: [2, 2], dtype: 'float64' }), -1);
    assert.deepEqual([...y.data], [-Infinity, Infinity]);
  });

  test('every entry rejects its error cases with its message', () => {
    for (const e of entries) {
      assert.ok(e.errors.length > 0, `${e.name}: no error cases`);
      for (const err of e.errors) {
        const x = err.inputs.map(errorInput);
        const op = opTable[e.name as OpName] as unknown as (...t: Tensor[]) => Tensor;
        assert.throws(
          () => (e.call ? e.call(x, err.args ?? {}) : op(...x)),
          (thrown: Error) => {
            assert.ok(
              thrown.message.includes(err.message),
              `${e.name}: message "${thrown.message}" does not contain "${err.message}"`,
            );
            return true;
          },
        );
      }
    }
  });

  test('the wasm cases again on the relaxed-SIMD build (a child process with --experimental-wasm-relaxed-simd)', (t) => {
    if (!listBackends().includes('wasm')) return t.skip('no wasm backend on this engine');
    const child = spawnSync(
      process.execPath,
      ['--experimental-wasm-relaxed-simd', '--test', '--test-reporter=spec', new URL(import.meta.url).pathname],
      {
        // Without NODE_TEST_CONTEXT the child is a test run of its own, not a part of this one.
        env: { ...process.env, NODE_TEST_CONTEXT: undefined, NABLA_OPS_RELAXED_CHILD: '1' },
        encoding: 'utf8',
        timeout: 300_000,
      },
    );
    for (const line of child.stdout.split('\n'))
      if (line.includes('own kernels alone')) t.diagnostic(`relaxed ${line.trim()}`);
    assert.match(child.stdout, /ℹ pass [1-9]/, 'the child ran no test');
    assert.equal(
      child.status,
      0,
      `relaxed-SIMD run failed:\n${child.stdout.slice(-4000)}\n${child.stderr.slice(-2000)}`,
    );
  });
}
