// Shared helpers for the io tests: byte-exact comparison and hand-built safetensors files.

import assert from 'node:assert/strict';
import { ModelFileError, type Tensor } from '../../src/index.js';

/** The raw bytes of a tensor's data (so NaN payloads and -0 compare exactly). */
export function bytesOf(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

export function assertBitIdentical(actual: Tensor, expected: Tensor, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${what}: dtype`);
  assert.deepEqual(bytesOf(actual), bytesOf(expected), `${what}: bytes differ`);
}

/** A safetensors file from a header (object or raw text) and data bytes, written by hand. */
export function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/** Asserts fn throws a ModelFileError whose message matches and whose `where` is as given. */
export function assertFileError(fn: () => unknown, problem: RegExp, where?: number | string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ModelFileError, `expected ModelFileError, got ${String(e)}`);
    assert.match(e.problem, problem);
    if (where !== undefined) assert.equal(e.where, where);
    return true;
  });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'lengths differ');
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}
