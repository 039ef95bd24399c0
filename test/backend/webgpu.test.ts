// The op-table suite on the webgpu backend, on a software adapter: Dawn (the `webgpu` package)
// over the SwiftShader Vulkan driver that Debian's chromium ships (docs/webgpu.md). Dawn needs
// libvulkan.so.1 on the library path before Node starts and the driver named by VK_ICD_FILENAMES,
// so the cases run in a child process started with both; this file is that child too. Every case,
// forward and backward, in float32 (the device) and float64 (js, a reported fallback), against
// PyTorch's values and js's; bit-identical reruns; and the list of what fell back to the host.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  backendInfo,
  data,
  fit,
  manualSeed,
  nn,
  optim,
  randn,
  readAll,
  setBackend,
  train,
  type DType,
  type Tensor,
} from '../../src/index.js';
import type { DeviceMemory } from '../../src/backend/contract.js';
import type { FitContext } from '../../src/train/types.js';
import { kernels } from '../../src/backend/index.js';
import type { UnaryOp } from '../../src/backend/contract.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { allocCell, hostCell, readHostData } from '../../src/cells.js';
import { assertClose, TOL } from '../helpers/compare.js';
import { cases, label, run } from '../helpers/op-cases.js';

const CHILD = process.env.NABLA_WEBGPU_CHILD === '1';
const SWIFTSHADER = '/usr/lib/chromium/libvk_swiftshader.so';
const ICD = fileURLToPath(new URL('../../../test/fixtures/swiftshader-icd.json', import.meta.url));

/** A case's output and input gradients (zeros where an input has none), as arrays: on a device, one read. */
async function results(c: (typeof cases)[number], dtype: DType): Promise<Float64Array[]> {
  const { inputs, y } = run(c, dtype);
  const tensors: Tensor[] = [y, ...inputs.flatMap((x) => (x.grad ? [x.grad] : []))];
  const values = await readAll(tensors);
  let next = 1;
  return [
    Float64Array.from(values[0]),
    ...inputs.map((x) => (x.grad ? Float64Array.from(values[next++]) : new Float64Array(x.size))),
  ];
}

if (CHILD) {
  test('setBackend("webgpu") opens the software adapter', async (t) => {
    await setBackend('webgpu');
    const info = backendInfo();
    assert.equal(info.name, 'webgpu');
    assert.equal(info.device, true);
    t.diagnostic(`adapter: ${info.adapter}`);
    t.diagnostic(`own kernels: ${info.ownKernels.join(', ')}`);
  });

  for (const dtype of ['float32', 'float64'] as const) {
    test(`every op-table case, forward and backward, matches PyTorch and js (${dtype})`, async () => {
      for (const c of cases) {
        await setBackend('js');
        const ref = await results(c, dtype);
        await setBackend('webgpu');
        const got = await results(c, dtype);
        assertClose(got[0], c.output.values, TOL[dtype], `${label(c)}: output`);
        c.grads.forEach((g, j) => assertClose(got[j + 1], g, TOL[dtype], `${label(c)}: grad of input ${j}`));
        got.forEach((r, j) =>
          assertClose(r, ref[j], dtype === 'float32' ? 1e-5 : 1e-12, `${label(c)}: result ${j} vs js`),
        );
      }
    });
  }

  test("the unary maps keep NaN, ±0 and ±∞ as the js kernels do (SwiftShader's builtins do not)", async () => {
    await setBackend('webgpu');
    const special = new Float32Array([
      NaN,
      Infinity,
      -Infinity,
      0,
      -0,
      1,
      -1,
      1e-30,
      -1e-30,
      0.5,
      3,
      -3,
      20,
      -20,
      100,
      -100,
    ]);
    const ops: [UnaryOp, number?, number?][] = [
      ['neg'],
      ['exp'],
      ['log'],
      ['sqrt'],
      ['abs'],
      ['sign'],
      ['tanh'],
      ['sigmoid'],
      ['softplus'],
      ['relu'],
      ['step'],
      ['leakyRelu', 0.1],
      ['leakyStep', 0.2],
      ['gelu'],
      ['erf'],
      ['pow', 2.5],
      ['pow', 3],
      ['pow', -2],
      ['pow', 0],
      ['clamp', -1, 0.5],
      ['clampMask', -1, 0.5],
    ];
    for (const [op, p, q] of ops) {
      const want = new Float32Array(special.length);
      jsBackend.unary(op, special, want, p, q);
      const out = allocCell('float32', special.length);
      kernels().unary(op, hostCell(special.slice()), out, p, q);
      const [got] = await readHostData([out]);
      special.forEach((x, i) => {
        const what = `${op}(${Object.is(x, -0) ? '-0' : x}${p === undefined ? '' : `, ${p}`})`;
        if (Number.isNaN(want[i]) || !Number.isFinite(want[i]) || want[i] === 0)
          assert.ok(Object.is(got[i], want[i]), `${what}: ${got[i]}, expected ${want[i]}`);
        else
          assert.ok(
            Math.abs(got[i] - want[i]) <= 1e-5 * Math.abs(want[i]) + 1e-37,
            `${what}: ${got[i]}, expected ${want[i]}`,
          );
      });
    }
  });

  test('reruns are bit-identical', async () => {
    await setBackend('webgpu');
    for (const c of cases) assert.deepEqual(await results(c, 'float32'), await results(c, 'float32'), label(c));
  });

  test('a 784-128-10 MLP trains on webgpu as on js (accuracy within a point), with one device read per step', async (t) => {
    const { train, test: held } = data.bundledMnistSplit();
    const trainSet = new data.Subset(
      train,
      Int32Array.from({ length: 2048 }, (_, i) => i),
    );
    const valSet = new data.Subset(
      held,
      Int32Array.from({ length: 512 }, (_, i) => i),
    );
    const run = async (backend: string) => {
      await setBackend(backend);
      manualSeed(11);
      const model = nn.mlp({ inputs: 784, hidden: [128], outputs: 10 });
      const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const before = backendInfo().memory;
      const { history } = await fit(model, {
        data: trainSet,
        validation: valSet,
        loss: nn.crossEntropy,
        optimizer,
        epochs: 1,
        batchSize: 64,
        metrics: ['accuracy'],
      });
      const after = backendInfo().memory;
      return { logs: history[0], downloads: after && before ? after.downloads - before.downloads : 0 };
    };
    const js = await run('js');
    const gpu = await run('webgpu');
    t.diagnostic(
      `784-128-10, 2,048 digits, 1 epoch: validation accuracy js ${js.logs.valAccuracy}, webgpu ${gpu.logs.valAccuracy}; loss js ${js.logs.loss.toFixed(5)}, webgpu ${gpu.logs.loss.toFixed(5)}`,
    );
    assert.ok(
      Math.abs((gpu.logs.valAccuracy as number) - (js.logs.valAccuracy as number)) <= 0.01,
      'accuracy differs by more than a point',
    );
    assert.ok((js.logs.valAccuracy as number) > 0.8, `js reached only ${js.logs.valAccuracy}`);
    // One read per training step (the loss, with the outputs for the metric and the previous
    // update's finiteness flag); at the epoch's end one for the last flag, one for the state the
    // callbacks may save, and one per validation batch.
    const steps = 2048 / 64;
    const validationBatches = 512 / 64;
    t.diagnostic(`device reads: ${gpu.downloads} for ${steps} steps and ${validationBatches} validation batches`);
    assert.equal(gpu.downloads, steps + 2 + validationBatches);
    const float32 = Object.entries(backendInfo().fallbacks).filter(([, f]) => !f.reason.startsWith('float64'));
    assert.deepEqual(float32, [], 'the MLP step ran something on the host');
  });

  test("fit with clipGradNorm (the norm stays on the device) and predict give js's weights and outputs", async () => {
    manualSeed(21);
    await setBackend('js');
    const x = randn([96, 3]);
    const dataset = new data.TensorDataset(x, x.sum(1, true).tanh());
    const run = async (backend: string) => {
      await setBackend(backend);
      manualSeed(5);
      const model = nn.mlp({ inputs: 3, hidden: [8], outputs: 1 });
      // A small bound, so that every step clips.
      await fit(model, {
        data: dataset,
        loss: nn.mseLoss,
        optimizer: new optim.SGD(model.parameters(), { lr: 0.5 }),
        epochs: 2,
        batchSize: 16,
        clipGradNorm: 0.05,
      });
      return [...(await readAll(model.parameters())), await train.predict(model, x, 40).read()].map((d) =>
        Float64Array.from(d),
      );
    };
    const want = await run('js');
    const got = await run('webgpu');
    got.forEach((g, i) => assertClose(g, want[i], 1e-4, `result ${i}`));
  });

  test("memory stays bounded over 5,000 training steps with no dispose call (the pool's high-water mark)", async (t) => {
    manualSeed(3);
    await setBackend('js'); // the data on the host, as a loader reads it
    const x = randn([512, 2]);
    const dataset = new data.TensorDataset(x, x.mul(x).sum(1, true));
    await setBackend('webgpu');
    const model = nn.mlp({ inputs: 2, hidden: [16, 16], outputs: 1 });
    const marks: Record<number, DeviceMemory> = {};
    const watch = {
      onBatchEnd: (ctx: FitContext, b: { batch: number }) => {
        const step = ctx.history.length * 32 + b.batch;
        if (step === 100 || step === 5000) marks[step] = backendInfo().memory!;
      },
    };
    const started = performance.now();
    await fit(model, {
      data: dataset,
      loss: nn.mseLoss,
      optimizer: new optim.Adam(model.parameters(), { lr: 1e-2 }),
      epochs: Math.ceil(5000 / 32),
      batchSize: 16,
      callbacks: [watch],
    });
    const [early, late] = [marks[100], marks[5000]];
    // The pool's figures count from the device's opening (the tests above included): from step
    // 100 on, no new buffer and no higher mark means every step ran in recycled memory.
    const created = late.buffersCreated - early.buffersCreated;
    t.diagnostic(
      `5,000 steps of 2-16-16-1 (Adam) in ${((performance.now() - started) / 1000).toFixed(1)} s: pool high-water ${early.highWaterBytes} bytes at step 100 and ${late.highWaterBytes} at step 5,000; ${created} buffers created after step 100; ${late.liveBytes} bytes live at the end`,
    );
    assert.equal(late.highWaterBytes, early.highWaterBytes, 'the pool grew after step 100');
    assert.ok(created <= 4, `${created} buffers created after step 100: memory is not recycled`);
  });

  test('what ran on the host instead: float64 only', async (t) => {
    await setBackend('webgpu');
    const { fallbacks } = backendInfo();
    for (const [name, f] of Object.entries(fallbacks)) t.diagnostic(`fallback ${name}: ${f.count} calls (${f.reason})`);
    const float32 = Object.entries(fallbacks).filter(([, f]) => !f.reason.startsWith('float64'));
    assert.deepEqual(
      float32.map(([name]) => name),
      [],
      'every float32 case ran on the device',
    );
  });
} else {
  test('the op-table suite on the webgpu backend (Dawn on SwiftShader, in a child process)', (t) => {
    const haveDriver = Boolean(process.env.VK_ICD_FILENAMES) || existsSync(SWIFTSHADER);
    if (!haveDriver)
      return t.skip(`no software Vulkan driver (${SWIFTSHADER}, from Debian's chromium) and no VK_ICD_FILENAMES`);
    const libs = existsSync('/usr/lib/chromium/libvulkan.so.1') ? '/usr/lib/chromium' : '';
    const env = {
      ...process.env,
      NODE_TEST_CONTEXT: undefined, // a test run of its own, not a part of this one
      NABLA_WEBGPU_CHILD: '1',
      VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? ICD,
      LD_LIBRARY_PATH: [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    };
    const child = spawnSync(process.execPath, ['--test', '--test-reporter=spec', fileURLToPath(import.meta.url)], {
      env,
      encoding: 'utf8',
      timeout: 600_000,
    });
    for (const line of child.stdout.split('\n'))
      if (/adapter:|fallback |own kernels:/.test(line)) t.diagnostic(line.trim().replace(/^ℹ /, ''));
    assert.equal(child.status, 0, `the webgpu run failed:\n${child.stdout.slice(-6000)}\n${child.stderr.slice(-3000)}`);
    assert.match(child.stdout, /ℹ pass [1-9]/, 'the child ran no test');
  });
}
