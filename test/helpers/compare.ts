// Shared by the tests: fixture loading and tolerant comparison of numbers.

import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/index.js';

/** Reads test/fixtures/NAME (the tests run from dist/test/..., the JSON stays in test/). */
export function fixture<T>(name: string): { torch: string; cases: T[] } {
  return JSON.parse(readFileSync(new URL(`../../../test/fixtures/${name}`, import.meta.url), 'utf8'));
}

/** Tolerances: 1e-5 relative in float64 and 1e-4 in float32 (with a floor relative to the scale). */
export const TOL = { float64: 1e-5, float32: 1e-4 } as const;

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  const atol = rtol * Math.max(scale, 1e-3) * 1e-2;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e)) && !(Number.isNaN(a) && Number.isNaN(e))) {
      assert.fail(
        `${what}: element ${i} is ${a}, expected ${e} (difference ${Math.abs(a - e)}, tolerance ${atol + rtol * Math.abs(e)})`,
      );
    }
  }
}

export function assertTensorClose(
  actual: Tensor | null,
  expected: ArrayLike<number>,
  rtol: number,
  what: string,
): void {
  assert.ok(actual, `${what}: missing`);
  assertClose(actual.data, expected, rtol, what);
}
