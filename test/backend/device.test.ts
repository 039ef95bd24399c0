// The dispatcher of device backends (docs/webgpu.md, slice 1), on the mock device: where values
// live (an op's output stays on the device; t.data says to `await t.read()`), fallbacks to js in
// the stream's order, uploads after user writes, views sharing one cell, and a training step equal
// to js's bit for bit.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  backendInfo,
  cat,
  getBackend,
  manualSeed,
  nn,
  optim,
  randn,
  readAll,
  setBackend,
  tensor,
  type Data,
  type Tensor,
} from '../../src/index.js';
import { registerDeviceBackend } from '../../src/backend/index.js';
import { crossEntropy } from '../../src/nn/losses.js';
import { mockDevice } from './device-mock.js';

const full = mockDevice('mock');
const lacking = mockDevice('mock-lacking', ['logSoftmax', 'where', 'reduce']);
registerDeviceBackend(full);
registerDeviceBackend(lacking);

/** Runs f with backend `name` active, then restores the previous one. */
async function on<T>(name: string, f: () => T | Promise<T>): Promise<T> {
  const previous = getBackend();
  setBackend(name);
  try {
    return await f();
  } finally {
    setBackend(previous);
  }
}

const values = (d: ArrayLike<number>) => Array.from(d);
const fallbackCount = (kernel: string) => backendInfo().fallbacks[kernel]?.count ?? 0;

test("an op's output on the device has no host copy: t.data names await t.read(), which gives js's values bit for bit", async () => {
  manualSeed(1);
  const x = randn([3, 4]);
  const expected = await on('js', () => x.tanh().mul(x).data.slice());
  await on('mock', async () => {
    const y = x.tanh().mul(x);
    assert.equal(y.cell.host, null);
    assert.equal(y.cell.deviceValid, true);
    assert.throws(() => y.data, /Tensor\(\[3,4\], float32\).*await t\.read\(\)/);
    assert.throws(() => y.sum().item(), /Tensor\(\[\], float32\).*await t\.read\(\)/);
    const got = await y.read();
    assert.deepEqual(values(got), values(expected));
    assert.equal(y.data, got); // the host copy is valid now
    assert.deepEqual(values(await x.read()), values(x.data)); // a host tensor resolves at once
  });
});

test('fallback kernels interleaved with device kernels give the js result, in order, and are counted with their reason', async () => {
  manualSeed(2);
  const x = randn([4, 5]);
  const w = randn([5, 3]);
  const f = (t: Tensor) => t.matmul(w).logSoftmax(-1).mul(2).exp().sum(0).relu();
  const expected = await on('js', () => f(x).data.slice());
  await on('mock-lacking', async () => {
    const before = [fallbackCount('logSoftmax'), fallbackCount('reduce')];
    const y = f(x);
    // logSoftmax waits for a download, so mul, exp, sum and relu are queued behind it.
    assert.throws(() => y.data, /await t\.read\(\)/);
    assert.deepEqual(values(await y.read()), values(expected));
    assert.equal(fallbackCount('logSoftmax'), before[0] + 1);
    assert.equal(fallbackCount('reduce'), before[1] + 1);
    const info = backendInfo();
    assert.equal(info.name, 'mock-lacking');
    assert.equal(info.device, true);
    assert.equal(info.fallbacks.logSoftmax.reason, 'no device kernel');
    assert.ok(!info.ownKernels.includes('logSoftmax') && info.ownKernels.includes('matmul'));
  });
});

test("float64 runs on js, reported as a fallback; a user Optimizer's update() is a host step", async () => {
  const x = tensor(
    [
      [1, 2, 3],
      [-Infinity, -Infinity, -Infinity],
    ],
    { dtype: 'float64' },
  );
  class PlainSGD extends optim.Optimizer {
    constructor(params: Iterable<Tensor>) {
      super(params, 0.5, 'PlainSGD');
    }
    protected override update(p: Data, g: Data) {
      for (let i = 0; i < p.length; i++) p[i] -= this.lr * g[i];
    }
  }
  const step = () => {
    manualSeed(4);
    const w = randn([3], { requiresGrad: true });
    const opt = new PlainSGD([w]);
    w.mul(w).sum().backward();
    opt.step();
    return w;
  };
  const expected = await on('js', () => [x.exp().data.slice(), step().data.slice()]);
  await on('mock', async () => {
    const before = [fallbackCount('unary'), fallbackCount('PlainSGD.update')];
    const e = x.exp();
    assert.deepEqual(values(e.data), values(expected[0])); // no download was needed: host at once
    assert.equal(backendInfo().fallbacks.unary.reason, 'float64 (WGSL has no f64)');
    const w = step();
    assert.deepEqual(values(await w.read()), values(expected[1]));
    assert.equal(fallbackCount('unary'), before[0] + 1);
    assert.equal(fallbackCount('PlainSGD.update'), before[1] + 1);
  });
});

test('a user write plus markChanged is uploaded at the next device use; unchanged inputs are uploaded once', async () => {
  manualSeed(3);
  const x = randn([2, 3]);
  const w = randn([3, 2]);
  await on('mock', async () => {
    const uploads = full.uploads;
    await x.matmul(w).read();
    await x.matmul(w).read();
    assert.equal(full.uploads, uploads + 2); // x and w once each
    w.data[0] = 5;
    w.markChanged();
    const y = x.matmul(w);
    assert.equal(full.uploads, uploads + 3);
    const expected = await on('js', () => x.matmul(w).data.slice());
    assert.deepEqual(values(await y.read()), values(expected));
    // A device tensor read to the host, written there and marked: the host copy is the current one.
    const z = w.mul(1);
    await z.read();
    z.data[1] = -7;
    z.markChanged();
    assert.equal((await z.relu().read())[1], 0);
    assert.equal((await z.neg().read())[1], 7);
  });
});

test('calls queued behind a download keep their arguments as they were at the call (cat reuses its offset array)', async () => {
  manualSeed(5);
  const x = randn([2, 3]);
  const f = (t: Tensor) => {
    const u = t.mul(1); // on the device, so that logSoftmax (a fallback here) must download it
    return cat([u.logSoftmax(-1), u.mul(2)], 1);
  };
  const expected = await on('js', () => f(x).data.slice());
  await on('mock-lacking', async () => {
    const y = f(x); // logSoftmax downloads its input, so both of cat's place calls wait in the queue
    assert.deepEqual(values(await y.read()), values(expected));
  });
});

test('views share the cell: reshape, detach, Parameter, Buffer', async () => {
  manualSeed(4);
  const x = randn([2, 6]);
  await on('mock', async () => {
    const y = x.exp();
    const views = [y.reshape([3, 4]), y.detach(), new nn.Parameter(y), new nn.Buffer(y)];
    for (const v of views) assert.equal(v.cell, y.cell);
    await views[0].read();
    assert.deepEqual(values(views[3].data), values(y.data));
  });
});

/** A 4-8-3 MLP, its SGD and a batch, the same for a given seed. */
function setup() {
  manualSeed(5);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
  const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  return { model, opt, x: randn([6, 4]), labels: [0, 2, 1, 1, 0, 2] };
}

function trainSteps(s: ReturnType<typeof setup>, steps: number): Tensor {
  let loss: Tensor | null = null;
  for (let i = 0; i < steps; i++) {
    loss = crossEntropy(s.model.forward(s.x), s.labels);
    s.opt.zeroGrad();
    loss.backward();
    s.opt.step();
  }
  return loss!;
}

for (const name of ['mock', 'mock-lacking']) {
  test(`${name}: an MLP's training steps (forward, backward, SGD with momentum) equal js's bit for bit`, async () => {
    const ref = setup();
    const refLoss = await on('js', () => trainSteps(ref, 3).data.slice());
    const dev = setup();
    await on(name, async () => {
      const loss = trainSteps(dev, 3);
      const params = dev.model.parameters();
      assert.throws(() => params[0].data, /await t\.read\(\)/); // the step wrote it on the device
      const got = await readAll([loss, ...params]);
      assert.deepEqual(values(got[0]), values(refLoss));
      ref.model.parameters().forEach((p, i) => assert.deepEqual(values(got[i + 1]), values(p.data), `parameter ${i}`));
      const info = backendInfo();
      if (name === 'mock')
        assert.deepEqual(
          Object.keys(info.fallbacks).filter((k) => !['unary', 'PlainSGD.update'].includes(k)),
          [],
        );
      else assert.ok(info.fallbacks.logSoftmax.count >= 3 && info.fallbacks.reduce.count >= 3);
    });
  });
}
