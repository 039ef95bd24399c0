// A tensor wraps the typed array it is given (new Tensor(array, shape)): an array whose buffer the
// caller detaches or shrinks afterwards gives NaN, zeros or stale values, or an error naming the
// short buffer (native), on every backend: never a crash of the process. Kept on purpose and
// documented in the README (checking every array on every op would cost every op).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listBackends, setBackend, Tensor } from '../../src/index.js';

// ES2024's resizable ArrayBuffer, which Node 20 has and this project's TypeScript lib does not declare.
const Resizable = ArrayBuffer as unknown as new (
  length: number,
  options: { maxByteLength: number },
) => ArrayBuffer & { resize(length: number): void };

test('a detached or shrunk buffer under a tensor gives values or an Error, never a crash, on every backend', () => {
  try {
    for (const backend of listBackends()) {
      setBackend(backend);
      const data = new Float32Array([1, 2, 3, 4]);
      const t = new Tensor(data, [2, 2]);
      structuredClone(data.buffer, { transfer: [data.buffer] }); // detaches it
      const resizable = new Resizable(16, { maxByteLength: 16 });
      const shrunk = new Float32Array(resizable);
      shrunk.set([1, 2, 3, 4]);
      const s = new Tensor(shrunk, [4]);
      resizable.resize(4);
      for (const run of [() => t.add(1).matmul(t), () => s.mul(2).sum()]) {
        try {
          const out = run();
          assert.ok(out instanceof Tensor, backend);
        } catch (e) {
          assert.ok(e instanceof Error, `${backend}: ${String(e)}`);
          assert.match(e.message, /detached or too short buffer/, backend);
        }
      }
    }
  } finally {
    setBackend('js');
  }
});
