// Learning-rate schedulers and gradient clipping against PyTorch values (test/fixtures/train.json,
// made by scripts/make_train_fixtures.py).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { tensor } from '../../src/tensor.js';
import { SGD } from '../../src/optim/sgd.js';
import { clipGradNorm } from '../../src/optim/clip.js';
import {
  CosineAnnealingLR,
  ExponentialLR,
  OneCycleLR,
  ReduceLROnPlateau,
  StepLR,
  type LRScheduler,
} from '../../src/optim/schedulers.js';
import { EarlyStopping } from '../../src/train/callbacks.js';

const fx = JSON.parse(readFileSync(new URL('../../../test/fixtures/train.json', import.meta.url), 'utf8'));

function close(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) =>
    assert.ok(
      Math.abs(a - expected[i]) <= 1e-12 + 1e-9 * Math.abs(expected[i]),
      `${what} step ${i}: ${a} vs torch ${expected[i]}`,
    ),
  );
}

const opt = () => new SGD([tensor([0], { requiresGrad: true })], { lr: fx.baseLr });

function run(make: (o: SGD) => LRScheduler, steps: number): number[] {
  const o = opt();
  const s = make(o);
  const out = [o.lr];
  for (let i = 0; i < steps; i++) {
    s.step();
    out.push(o.lr);
  }
  return out;
}

test('StepLR, ExponentialLR, CosineAnnealingLR match torch', () => {
  for (const [name, make] of [
    ['StepLR', (o: SGD) => new StepLR(o, fx.StepLR.options)],
    ['ExponentialLR', (o: SGD) => new ExponentialLR(o, fx.ExponentialLR.options)],
    ['CosineAnnealingLR', (o: SGD) => new CosineAnnealingLR(o, fx.CosineAnnealingLR.options)],
  ] as const) {
    close(run(make, fx[name].lrs.length - 1), fx[name].lrs, name);
  }
});

test('OneCycleLR matches torch (cos two-phase, linear three-phase) and refuses extra steps', () => {
  close(
    run((o) => new OneCycleLR(o, fx.OneCycleLR.options), fx.OneCycleLR.lrs.length - 1),
    fx.OneCycleLR.lrs,
    'OneCycleLR',
  );
  close(
    run((o) => new OneCycleLR(o, fx.OneCycleLR3.options), fx.OneCycleLR3.lrs.length - 1),
    fx.OneCycleLR3.lrs,
    'OneCycleLR three-phase',
  );
  const s = new OneCycleLR(opt(), { maxLr: 1, totalSteps: 2 });
  s.step();
  s.step();
  assert.throws(() => s.step(), /more than totalSteps/);
});

test('construction sets lr exactly as torch does: unchanged, except OneCycleLR at its step-0 value', () => {
  const made: [string, (o: SGD) => unknown][] = [
    ['StepLR', (o) => new StepLR(o, fx.StepLR.options)],
    ['ExponentialLR', (o) => new ExponentialLR(o, fx.ExponentialLR.options)],
    ['CosineAnnealingLR', (o) => new CosineAnnealingLR(o, fx.CosineAnnealingLR.options)],
    ['OneCycleLR', (o) => new OneCycleLR(o, fx.OneCycleLR.options)],
    ['OneCycleLR3', (o) => new OneCycleLR(o, fx.OneCycleLR3.options)],
    ['ReduceLROnPlateau', (o) => new ReduceLROnPlateau(o, fx.ReduceLROnPlateau.options)],
  ];
  for (const [name, make] of made) {
    const o = opt();
    make(o);
    assert.equal(o.lr, fx[name].lrs[0], name);
  }
});

test('ReduceLROnPlateau matches torch, and its state round-trips', () => {
  const o = opt();
  const s = new ReduceLROnPlateau(o, fx.ReduceLROnPlateau.options);
  const out = [o.lr];
  const metrics: number[] = fx.ReduceLROnPlateau.metrics;
  metrics.forEach((m, i) => {
    if (i === 7) {
      // Continue from a saved state in a fresh scheduler, as a resumed run does.
      const copy = new ReduceLROnPlateau(o, fx.ReduceLROnPlateau.options);
      copy.loadStateDict(s.stateDict());
      copy.step(m);
      Object.assign(s, {
        best: copy.best,
        numBadEpochs: copy.numBadEpochs,
        cooldownCounter: copy.cooldownCounter,
        lastEpoch: copy.lastEpoch,
      });
    } else s.step(m);
    out.push(o.lr);
  });
  close(out, fx.ReduceLROnPlateau.lrs, 'ReduceLROnPlateau');
  // The state names the current lr for what it is (it is not a base lr).
  const state: Record<string, unknown> = { ...s.stateDict() };
  assert.equal(state.lr, o.lr);
  assert.ok(!('baseLr' in state));
});

test('ReduceLROnPlateau and EarlyStopping states survive JSON while best is ±Infinity; bad states are refused', () => {
  const viaJson = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
  for (const mode of ['min', 'max'] as const) {
    const plateau = new ReduceLROnPlateau(opt(), { mode });
    const copy = new ReduceLROnPlateau(opt(), { mode });
    copy.best = 0;
    copy.loadStateDict(viaJson(plateau.stateDict()));
    assert.equal(copy.best, mode === 'min' ? Infinity : -Infinity);
    const stopper = new EarlyStopping({ mode });
    const stopperCopy = new EarlyStopping({ mode });
    stopperCopy.best = 0;
    stopperCopy.loadStateDict(viaJson(stopper.stateDict()));
    assert.equal(stopperCopy.best, mode === 'min' ? Infinity : -Infinity);
  }
  // What the old encoding wrote (null for Infinity) is refused, not read as a best of null.
  const plateau = new ReduceLROnPlateau(opt());
  assert.throws(
    () => plateau.loadStateDict({ ...plateau.stateDict(), best: null as never }),
    /ReduceLROnPlateau\.loadStateDict: best: expected a finite number or 'Infinity', '-Infinity', 'NaN', got null/,
  );
  assert.throws(
    () => plateau.loadStateDict({ ...plateau.stateDict(), numBadEpochs: -1 }),
    /numBadEpochs: expected a non-negative integer, got -1/,
  );
  assert.throws(
    () => new EarlyStopping().loadStateDict({ best: null, wait: 0 }),
    /EarlyStopping\.loadStateDict: best: .*got null/,
  );
  assert.throws(
    () => new EarlyStopping().loadStateDict({ best: 1, wait: 1.5 }),
    /EarlyStopping\.loadStateDict: wait: expected a non-negative integer, got 1\.5/,
  );
});

test('clipGradNorm matches torch.nn.utils.clip_grad_norm_ (global norm, 2 and inf)', () => {
  for (const c of fx.clip.cases) {
    const ps = fx.clip.grads.map((g: number[], i: number) => {
      const p = tensor(new Float64Array(g.length), { shape: fx.clip.shapes[i], dtype: 'float64', requiresGrad: true });
      p.grad = tensor(Float64Array.from(g), { shape: fx.clip.shapes[i], dtype: 'float64' });
      return p;
    });
    const total = clipGradNorm(ps, c.maxNorm, c.normType === 'inf' ? Infinity : c.normType);
    assert.ok(Math.abs(total - c.total) < 1e-12, `norm ${total} vs ${c.total}`);
    ps.forEach((p: ReturnType<typeof tensor>, i: number) =>
      close(Array.from(p.grad!.data), c.clipped[i], `clipped grad ${i} (max ${c.maxNorm})`),
    );
  }
});
