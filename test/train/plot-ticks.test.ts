// The curves' axes tick on round numbers (the issue's 0.915, 0.752, 0.589 become 0.5 … 1.0), and
// the epoch whose weights early stopping restored is marked.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roundTicks, trainingCurvesSvg } from '../../src/train/plots.js';

test('ticks are 1, 2 or 5 times a power of ten, covering the values, 3 to 6 of them', () => {
  assert.deepEqual(roundTicks(0.589, 0.915).ticks, [0.5, 0.6, 0.7, 0.8, 0.9, 1]);
  assert.deepEqual(roundTicks(96.1, 99.2).ticks, [96, 97, 98, 99, 100]);
  assert.deepEqual(roundTicks(0.0012, 0.0049).ticks, [0.001, 0.002, 0.003, 0.004, 0.005]);
  assert.deepEqual(roundTicks(2, 2).ticks, [1.5, 2, 2.5]);
  for (const [lo, hi] of [
    [0.05, 2.3],
    [12, 980],
    [-3.2, 7.7],
  ]) {
    const r = roundTicks(lo, hi);
    assert.ok(r.lo <= lo && r.hi >= hi, `[${r.lo}, ${r.hi}] covers [${lo}, ${hi}]`);
    assert.ok(r.ticks.length >= 3 && r.ticks.length <= 6, `${r.ticks}`);
    const step = r.ticks[1] - r.ticks[0];
    const mantissa = step / 10 ** Math.floor(Math.log10(step));
    assert.ok(
      [1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-9),
      `step ${step}`,
    );
  }
});

test('the curves label their axis with the round ticks and mark the restored epoch', () => {
  const history = [0.915, 0.752, 0.589, 0.61].map((loss, i) => ({ epoch: i + 1, lr: 0.1, seconds: 1, loss }));
  const svg = trainingCurvesSvg(history, 3);
  const labels = [...svg.matchAll(/text-anchor="end" font-size="11">([^<]+)</g)].map((m) => m[1]);
  assert.deepEqual(labels, ['0.5', '0.6', '0.7', '0.8', '0.9', '1.0']);
  assert.match(svg, /restored \(epoch 3\)/);
  assert.doesNotMatch(trainingCurvesSvg(history), /restored/);
});
