// The playground's DOM-free core (playground/src/trainer.ts, data.ts, config.ts) in Node:
// the backprop view's captured gradients against the seeds' closed forms computed here,
// reproducibility from the seed, the URL round trip, CSV errors, and learning the circle.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, defaults, encode, type Config } from '../playground/src/config.js';
import { parseCsv } from '../playground/src/data.js';
import type { FromWorker, Snapshot } from '../playground/src/protocol.js';
import { startSession } from '../playground/src/session.js';
import { Trainer } from '../playground/src/trainer.js';

const cfg = (over: Partial<Config> = {}): Config => ({ ...defaults, ...over });
const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

/** The worker's session with its messages collected, as the page would see them. */
function session() {
  const posted: FromWorker[] = [];
  const send = startSession((m) => posted.push(m));
  const snapshots = () => posted.filter((m): m is Snapshot => m.type === 'snapshot');
  return { send, posted, snapshots, lastSnapshot: () => snapshots().at(-1)! };
}

test('a captured step trains exactly like a plain backward()', async () => {
  // nabla's PRNG is global (it drives the batch order), so the two runs go one after the other.
  for (const activation of ['relu', 'tanh', 'sigmoid', 'gelu'] as const) {
    const run = async (capture: boolean) => {
      const t = new Trainer(cfg({ activation, layers: [5, 3] }));
      for (let i = 0; i < 5; i++) await t.step(capture);
      return {
        losses: t.stepLosses,
        params: t.linears.flatMap((l) => [Array.from(l.weight.data), Array.from(l.bias!.data)]),
      };
    };
    assert.deepEqual(await run(true), await run(false), activation);
  }
});

test("captured matrices follow the seeds: dW = xᵀ·dy, db = Σ_N dy, dx = dy·Wᵀ, dy through tanh' and the loss", async () => {
  const t = new Trainer(cfg({ activation: 'tanh', layers: [4, 3], batchSize: 8 }));
  await t.step(false);
  const { captures } = await t.step(true);
  assert.ok(captures);
  assert.equal(captures.length, 3);
  const last = captures[2];
  // Output layer with BCE on logits, mean over N: dL/dy = (σ(y) − t)/N. Targets come from the
  // batch: σ(y) − N·dy must be a 0/1 label.
  const n = last.y.shape[0];
  assert.deepEqual(last.dy.shape, [n, 1]);
  for (let i = 0; i < n; i++) {
    const label = 1 / (1 + Math.exp(-last.y.data[i])) - n * last.dy.data[i];
    assert.ok(close(label, 0, 1e-4) || close(label, 1, 1e-4), `implied label ${label}`);
  }
  captures.forEach((c, k) => {
    const [rows, inF] = c.x.shape;
    const outF = c.W.shape[1];
    assert.deepEqual(
      [c.y.shape, c.dy.shape, c.dW.shape, c.db.shape, c.dx.shape],
      [[rows, outF], [rows, outF], [inF, outF], [outF], [rows, inF]],
    );
    for (let i = 0; i < inF; i++) {
      for (let j = 0; j < outF; j++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += c.x.data[r * inF + i] * c.dy.data[r * outF + j];
        assert.ok(close(c.dW.data[i * outF + j], s), `layer ${k} dW[${i},${j}]`);
      }
    }
    for (let j = 0; j < outF; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += c.dy.data[r * outF + j];
      assert.ok(close(c.db.data[j], s), `layer ${k} db[${j}]`);
    }
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < inF; i++) {
        let s = 0;
        for (let j = 0; j < outF; j++) s += c.dy.data[r * outF + j] * c.W.data[i * outF + j];
        assert.ok(close(c.dx.data[r * inF + i], s), `layer ${k} dx[${r},${i}]`);
      }
    }
    if (k < 2) {
      // a = tanh(y) feeds the next layer: dL/dy = dL/dx(next) ⊙ (1 − tanh²(y)).
      const next = captures[k + 1];
      c.dy.data.forEach((g, i) =>
        assert.ok(close(g, next.dx.data[i] * (1 - Math.tanh(c.y.data[i]) ** 2)), `layer ${k} dy[${i}]`),
      );
      // (to float32 rounding: the native backend's float32 tanh is a rational fit within 3.5e-7)
      next.x.data.forEach((a, i) => assert.ok(close(a, Math.tanh(c.y.data[i]), 1e-6), `layer ${k} x[${i}] = tanh(y)`));
    }
    for (const r of Object.values(c.residual)) assert.ok(r < 1e-5, `layer ${k} residual ${r}`);
  });
});

test('the seed fixes the data, the initial weights and every batch', async () => {
  const run = async (seed: number) => {
    const t = new Trainer(cfg({ dataset: 'spiral', seed, layers: [6, 6] }));
    for (let i = 0; i < 30; i++) await t.step();
    return t.stepLosses;
  };
  assert.deepEqual(await run(3), await run(3));
  assert.notDeepEqual(await run(3), await run(4));
});

test('the URL round trip keeps every setting and rejects bad values', () => {
  const c = cfg({
    dataset: 'xor',
    noise: 0.25,
    trainPercent: 70,
    layers: [3, 8, 1],
    activation: 'gelu',
    loss: 'mse',
    optimizer: 'momentum',
    lr: 0.003,
    batchSize: 32,
    l2: 0.001,
    seed: 99,
  });
  assert.deepEqual(decode(`#${encode(c)}`), c);
  assert.deepEqual(decode('#layers='), { ...defaults, layers: [] });
  const bad = decode('#data=moon&noise=9&train=5&layers=3,0,2&act=swish&lr=-1&batch=2.5&seed=x');
  assert.deepEqual(bad, defaults);
});

test('every seed the seed box takes survives the URL: integers from 0 to 2^53 − 1', () => {
  for (const seed of [0, 2 ** 31 - 1, 2 ** 31, 3_000_000_000, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
    assert.equal(decode(`#${encode(cfg({ seed }))}`).seed, seed, `seed ${seed}`);
  }
  for (const bad of ['-1', '1.5', '9007199254740992', '1e300', 'x', ''])
    assert.equal(decode(`#seed=${bad}`).seed, defaults.seed, `seed=${bad}`);
  // Seeds above 2^32 are runs of their own (manualSeed mixes in the high half).
  const first = (seed: number) => new Trainer(cfg({ seed, layers: [2] })).linears[0].weight.data[0];
  assert.notEqual(first(2 ** 32 + 5), first(5));
});

test('the URL takes exactly what the controls can show: slider ranges and steps, the lr and L2 lists', () => {
  // The controls' values: the batch slider stops at 64 and the lists hold these rates
  // (config.ts builds the controls from the same numbers).
  for (const lr of [0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3]) assert.equal(decode(`#lr=${lr}`).lr, lr);
  for (const l2 of [0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1]) assert.equal(decode(`#l2=${l2}`).l2, l2);
  for (const batch of [1, 37, 64]) assert.equal(decode(`#batch=${batch}`).batchSize, batch);
  for (const noise of [0, 0.05, 0.15, 0.35, 0.5]) assert.equal(decode(`#noise=${noise}`).noise, noise);
  for (const train of [10, 30, 90]) assert.equal(decode(`#train=${train}`).trainPercent, train);
  const offControls = decode('#batch=256&lr=0.05&l2=0.002&noise=0.13&train=15');
  assert.deepEqual(offControls, defaults);
  assert.equal(decode('#batch=65').batchSize, defaults.batchSize);
});

test('parseCsv reads x1,x2,label with a header, scales, and names the bad line', () => {
  const p = parseCsv('x1,x2,label\n2,0,3\n-4,1,5\n0,-2,3\n1,1,5\n');
  assert.equal(p.regression, false);
  assert.deepEqual(Array.from(p.xs), [0.5, 0, -1, 0.5, 0, -1, 0.25, 0.5]);
  assert.deepEqual(Array.from(p.ys), [0, 1, 0, 1]);
  assert.equal(parseCsv('0,0,0.1\n1,1,0.5\n2,2,-1\n3,3,2\n').regression, true);
  assert.throws(() => parseCsv('a,b,c\n1,2,3\n1,oops,3\n', 'pts.csv'), /pts\.csv: line 3: expected three numbers/);
  assert.throws(() => parseCsv('1,2\n3,4\n5,6\n7,8\n', 'pts.csv'), /line 1: expected 3 columns/);
});

test('gradcheck on the whole network passes for every activation', async () => {
  for (const activation of ['relu', 'tanh', 'sigmoid', 'gelu'] as const) {
    const t = new Trainer(cfg({ activation, layers: [4, 3], loss: activation === 'gelu' ? 'mse' : 'bce' }));
    await t.step();
    const r = t.gradcheck();
    assert.ok(r.ok, `${activation}: max relative error ${r.maxRelError}`);
    assert.equal(r.elements, 16 * 2 + (2 * 4 + 4) + (4 * 3 + 3) + (3 + 1));
  }
});

test('the default network learns the circle: test loss below 0.1', async () => {
  const t = new Trainer(cfg());
  for (let i = 0; i < 1500; i++) await t.step();
  assert.ok(t.evaluate(t.data.test) < 0.1, `test loss ${t.evaluate(t.data.test)}`);
});

test('every batch has the chosen size, across epoch ends (200 points, batches of 16)', async () => {
  const t = new Trainer(cfg({ batchSize: 16, trainPercent: 50, layers: [2] }));
  assert.equal(t.data.train.ys.length, 200);
  for (let i = 0; i < 30; i++) assert.equal((await t.step(true)).captures![0].x.shape[0], 16, `step ${i}`);
});

test("quick Pause/Play clicks keep one training loop: at 10 steps/s, 10 steps in 1,000 ms of the session's clock", async (t) => {
  // The session's clock (setTimeout and performance.now) is mocked, so the count depends on the
  // order of its timer turns, not on how busy the machine is: one loop steps at t = 1, 101, ...,
  // 901 ms (the first turn runs on the first tick); a loop per Play click would take ~6 times as many.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let now = 0;
  t.mock.method(performance, 'now', () => now);
  // The session handles messages and loop turns in a promise chain: a real setImmediate (not
  // mocked) lets it run after each tick.
  const settle = () => new Promise((r) => setImmediate(r));
  const advance = async (ms: number) => {
    for (let i = 0; i < ms; i++) {
      now++;
      t.mock.timers.tick(1);
      await settle();
    }
  };
  const { send, lastSnapshot } = session();
  await send({ type: 'config', config: cfg({ layers: [2] }) });
  await send({ type: 'speed', stepsPerSecond: 10 });
  await send({ type: 'play' });
  for (let i = 0; i < 5; i++) {
    await send({ type: 'pause' });
    await send({ type: 'play' });
  }
  await advance(1000);
  await send({ type: 'pause' });
  const steps = lastSnapshot().steps;
  assert.equal(steps, 10, `${steps} steps in 1 s at 10 steps/s`);
  await advance(300);
  assert.equal(lastSnapshot().steps, steps, 'no step after Pause');
});

test('after Step and Pause the backprop view shows the step just taken: W_next = W − lr·dW (plain SGD)', async () => {
  const lr = 0.1;
  const { send, lastSnapshot } = session();
  await send({ type: 'config', config: cfg({ optimizer: 'sgd', lr, l2: 0, layers: [3] }) });
  await send({ type: 'inspect', layer: 0 });
  await send({ type: 'step' });
  const stepped = lastSnapshot();
  await send({ type: 'pause' });
  const paused = lastSnapshot();
  assert.deepEqual(paused.capture, stepped.capture, 'Pause shows the capture of the step');
  await send({ type: 'inspect', layer: 1 }); // another layer, clicked while paused
  const other = lastSnapshot();
  for (const [s, layer] of [
    [stepped, 0],
    [paused, 0],
    [other, 1],
  ] as const) {
    const c = s.capture!;
    assert.equal(c.layer, layer);
    assert.ok(
      c.dW.data.some((g) => Math.abs(g) > 1e-6),
      'a step with a gradient',
    );
    // The weights after the step (the snapshot's) are the shown W and b moved by −lr times the shown gradients.
    c.W.data.forEach((w, i) =>
      assert.ok(close(s.weights[layer].W[i], w - lr * c.dW.data[i], 1e-6), `layer ${layer} W[${i}]`),
    );
    c.b.data.forEach((b, i) =>
      assert.ok(close(s.weights[layer].b[i], b - lr * c.db.data[i], 1e-6), `layer ${layer} b[${i}]`),
    );
  }
});

test("Trainer.capture() after a step gives that step's matrices; before any step, the current weights", async () => {
  const t = new Trainer(cfg({ layers: [4, 3] }));
  const before = t.capture();
  assert.deepEqual(Array.from(before[0].W.data), Array.from(t.linears[0].weight.data));
  const { captures } = await t.step(true);
  const after = Array.from(t.linears[0].weight.data);
  assert.deepEqual(t.capture(), captures);
  await t.step(false);
  const second = t.capture();
  assert.deepEqual(Array.from(second[0].W.data), after, "the second step started from the first step's result");
  assert.notDeepEqual(Array.from(t.linears[0].weight.data), after);
});

test('a backprop-view capture between steps leaves training exactly as without it (wasm weight caches too)', async () => {
  const weights = async (withCapture: boolean) => {
    const t = new Trainer(cfg({ layers: [64, 32], batchSize: 64 }));
    for (let i = 0; i < 4; i++) {
      await t.step(false);
      if (withCapture) t.capture();
    }
    return t.linears.flatMap((l) => Array.from(l.weight.data));
  };
  assert.deepEqual(await weights(true), await weights(false));
});
