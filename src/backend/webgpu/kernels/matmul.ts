// The WGSL matrix product out[m×n] = op(A)[m×k] · op(B)[k×n] (+ bias, relu) at the contract's
// offsets. Each invocation owns a 4×4 block of the output in registers and walks k with no
// workgroup memory and no barrier: on the software adapter (SwiftShader) barriers cost more than
// the shared loads save (docs/webgpu.md measured 0.3–0.66 GFLOPS for this shape against
// 0.04 for a shared-memory tiled kernel). The transposes only change the index arithmetic.

import type { MatmulArgs } from '../../contract.js';
import type { DeviceBuffer } from '../memory.js';
import type { Stream } from '../stream.js';
import { params, shader } from '../wgsl.js';

// Words: m, k, n, flags (1 transA, 2 transB, 4 bias, 8 relu), aOffset, bOffset, outOffset, biasOffset.
const MATMUL = shader(
  'matmul',
  ['A', 'B', 'bias'],
  ['C'],
  /* wgsl */ `
fn opA(r: u32, kk: u32, m: u32, k: u32, off: u32, t: bool) -> f32 {
  if (t) { return A[off + kk * m + r]; }
  return A[off + r * k + kk];
}
fn opB(kk: u32, c: u32, k: u32, n: u32, off: u32, t: bool) -> f32 {
  if (t) { return B[off + c * k + kk]; }
  return B[off + kk * n + c];
}
fn run(i: u32) {
  let m = pu(1u); let k = pu(2u); let n = pu(3u); let flags = pu(4u);
  let ta = (flags & 1u) != 0u; let tb = (flags & 2u) != 0u;
  let aOff = pu(5u); let bOff = pu(6u); let cOff = pu(7u);
  let blocksN = (n + 3u) / 4u;
  let r0 = (i / blocksN) * 4u;
  let c0 = (i % blocksN) * 4u;
  // Rows and columns past the edge repeat the last one (in bounds); they are not stored.
  let r1 = min(r0 + 1u, m - 1u); let r2 = min(r0 + 2u, m - 1u); let r3 = min(r0 + 3u, m - 1u);
  let c1 = min(c0 + 1u, n - 1u); let c2 = min(c0 + 2u, n - 1u); let c3 = min(c0 + 3u, n - 1u);
  var acc0 = vec4f(0.0); var acc1 = vec4f(0.0); var acc2 = vec4f(0.0); var acc3 = vec4f(0.0);
  for (var kk = 0u; kk < k; kk++) {
    let b = vec4f(opB(kk, c0, k, n, bOff, tb), opB(kk, c1, k, n, bOff, tb), opB(kk, c2, k, n, bOff, tb), opB(kk, c3, k, n, bOff, tb));
    acc0 += opA(r0, kk, m, k, aOff, ta) * b;
    acc1 += opA(r1, kk, m, k, aOff, ta) * b;
    acc2 += opA(r2, kk, m, k, aOff, ta) * b;
    acc3 += opA(r3, kk, m, k, aOff, ta) * b;
  }
  let acc = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var dr = 0u; dr < 4u; dr++) {
    let r = r0 + dr;
    if (r >= m) { break; }
    for (var dc = 0u; dc < 4u; dc++) {
      let c = c0 + dc;
      if (c >= n) { break; }
      var v = acc[dr][dc];
      if ((flags & 4u) != 0u) { v = v + bias[pu(8u) + c]; }
      if ((flags & 8u) != 0u) { v = select(v, 0.0, v < 0.0); }
      C[cOff + r * n + c] = v;
    }
  }
}`,
);

export function matmulKernel(stream: Stream, noBias: GPUBuffer) {
  return {
    matmul(
      a: DeviceBuffer,
      b: DeviceBuffer,
      out: DeviceBuffer,
      args: Omit<MatmulArgs, 'bias'> & { bias?: DeviceBuffer },
    ): void {
      const { m, k, n } = args;
      if (m === 0 || n === 0) return;
      const flags = (args.transA ? 1 : 0) | (args.transB ? 2 : 0) | (args.bias ? 4 : 0) | (args.relu ? 8 : 0);
      const words = [m, k, n, flags, args.aOffset, args.bOffset, args.outOffset, args.biasOffset ?? 0];
      const threads = Math.ceil(m / 4) * Math.ceil(n / 4);
      stream.dispatch(
        MATMUL,
        [a.buffer, b.buffer, args.bias?.buffer ?? noBias, out.buffer],
        params(threads, words),
        threads,
      );
    },
  };
}
