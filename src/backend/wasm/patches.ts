// The wasm backend's im2col, col2im (kernels/patches.ts) and place, f32 and f64: copy in, one
// wasm pass, copy out. The results are the js kernels' bits (im2col and place copy; col2im adds
// in js's order). Below the thresholds here (bench/kernels.ts, figures in bench/KERNELS.md) the
// js kernels run, unless settings.handOff is off; every such hand-off is counted.

import type { Data, PatchGeometry } from '../contract.js';
import { stridesOf, type Shape } from '../../shape.js';
import { small } from '../settings.js';
import { toJs } from '../handoff.js';
import type { Runtime } from './runtime.js';
import { carve, claim, put, putInts, view } from './scratch.js';

/**
 * Thresholds below which js runs: elements of the patch matrix for im2col and col2im, of the
 * placed box for place. From bench/kernels (js ÷ wasm time, f32 / f64, figures in
 * bench/KERNELS.md): im2col at 144–324 patch elements 0.9–1.8 (noisy), at 576 2.4–3.1, at
 * 4,608 3.5–4.8, at 0.45M–3.6M 3–9 (f32) and 1.8–4.8 (f64); col2im at 288–324 0.3–1.3, at 576
 * 1.9, at 4,608 3.7–5, at 0.45M–3.6M 2.2–7 (f32) and 1.3–2.8 (f64); place of a conv input into
 * its padding at 288 0.8–3.4, at 512–784 1.5–2.2, at 0.05M–0.4M 3–4 (f32) and 1–2 (f64). A
 * place that is one contiguous run never reaches wasm (see place).
 */
export const MIN = {
  im2col: 512,
  col2im: 512,
  place: 512,
};

/** The geometry block's order (kernels/patches.ts reads these 14 i32). */
const GEOMETRY: readonly (keyof PatchGeometry)[] = [
  'batch',
  'channels',
  'height',
  'width',
  'kernelH',
  'kernelW',
  'strideH',
  'strideW',
  'padTop',
  'padLeft',
  'dilationH',
  'dilationW',
  'outH',
  'outW',
];
const GEOMETRY_BYTES = GEOMETRY.length * 4;
/** Room after a block that a stride-2 SIMD run may read or write one element past. */
const SLACK = 16;

/**
 * Where in a block (carved 16 bytes longer) to put the elements of d from index `start`: at the
 * same address mod 16 as they have in d. Node's copies between an ordinary array and a shared
 * wasm memory run 4–5× slower when the two addresses differ mod 8 (measured: 500k f32 in 0.23
 * ms aligned, 0.97 ms misaligned), which place's spans at any offset would otherwise hit.
 */
const matching = (ptr: number, d: Data, start: number) => ptr + ((d.byteOffset + start * d.BYTES_PER_ELEMENT) % 16);

export function makePatches(rt: Runtime) {
  const k = rt.exports;

  const putGeometry = (g: PatchGeometry, ptr: number) =>
    putInts(
      rt,
      GEOMETRY.map((f) => g[f]),
      ptr,
    );

  function im2col(x: Data, g: PatchGeometry, padValue: number, out: Data): void {
    const f64 = x instanceof Float64Array;
    const sz = f64 ? 8 : 4;
    const nx = g.batch * g.channels * g.height * g.width;
    const n = g.channels * g.kernelH * g.kernelW * g.batch * g.outH * g.outW;
    const ptrs = claim(rt, n, MIN.im2col, nx * sz + 16 + SLACK, n * sz + 16, GEOMETRY_BYTES);
    if (!ptrs) {
      return toJs('im2col')(x, g, padValue, out);
    }
    if (n === 0) return;
    const xPtr = matching(ptrs[0], x, 0),
      outPtr = matching(ptrs[1], out, 0),
      gPtr = ptrs[2];
    put(rt, x.subarray(0, nx), xPtr, f64);
    putGeometry(g, gPtr);
    if (f64) k.im2col64(xPtr, gPtr, padValue, outPtr);
    else k.im2col32(xPtr, gPtr, padValue, outPtr);
    out.set(view(rt, outPtr, n, f64));
  }

  function col2im(cols: Data, g: PatchGeometry, out: Data): void {
    const f64 = cols instanceof Float64Array;
    const sz = f64 ? 8 : 4;
    const nOut = g.batch * g.channels * g.height * g.width;
    const n = g.channels * g.kernelH * g.kernelW * g.batch * g.outH * g.outW;
    const ptrs = claim(rt, n, MIN.col2im, n * sz + 16, nOut * sz + 16 + SLACK, GEOMETRY_BYTES);
    if (!ptrs) {
      return toJs('col2im')(cols, g, out);
    }
    if (nOut === 0) return;
    const colsPtr = matching(ptrs[0], cols, 0),
      outPtr = matching(ptrs[1], out, 0),
      gPtr = ptrs[2];
    put(rt, cols.subarray(0, n), colsPtr, f64);
    putGeometry(g, gPtr);
    if (f64) k.col2im64(colsPtr, gPtr, outPtr);
    else k.col2im32(colsPtr, gPtr, outPtr);
    out.set(view(rt, outPtr, nOut, f64));
  }

  function place(x: Data, xShape: Shape, out: Data, outShape: Shape, offset: readonly number[]): void {
    const f64 = out instanceof Float64Array;
    const sz = f64 ? 8 : 4;
    // Rank 0 is a box of one element.
    const rank = Math.max(1, xShape.length);
    const xShp = xShape.length ? xShape : [1];
    const outShp = xShape.length ? outShape : [1];
    const off = xShape.length ? offset : [0];
    // The overlap, in x's coordinates, axis by axis: [lo, hi), as the js kernel.
    const lo = xShp.map((_, d) => Math.max(0, -off[d]));
    const hi = xShp.map((s, d) => Math.min(s, outShp[d] - off[d]));
    if (lo.some((l, d) => l >= hi[d])) return; // nothing overlaps: out stays as it is
    const xs = stridesOf(xShp);
    const os = stridesOf(outShp);
    // Where the box starts and how far it spans in x and in out (in elements).
    let src = 0,
      dst = 0,
      srcSpan = 1,
      dstSpan = 1,
      box = 1;
    for (let d = 0; d < rank; d++) {
      src += lo[d] * xs[d];
      dst += (lo[d] + off[d]) * os[d];
      srcSpan += (hi[d] - lo[d] - 1) * xs[d];
      dstSpan += (hi[d] - lo[d] - 1) * os[d];
      box *= hi[d] - lo[d];
    }
    // The box's axes, innermost first: the last axis always (stride 1 in both), size-1 axes
    // dropped, and an axis merged into the one inside it where both x and out are contiguous
    // across them.
    const dims: number[] = [];
    const xst: number[] = [];
    const ost: number[] = [];
    for (let d = rank - 1; d >= 0; d--) {
      const size = hi[d] - lo[d];
      const l = dims.length - 1;
      if (l >= 0 && size === 1) continue;
      if (l >= 0 && xst[l] * dims[l] === xs[d] && ost[l] * dims[l] === os[d]) dims[l] *= size;
      else {
        dims.push(size);
        xst.push(xs[d]);
        ost.push(os[d]);
      }
    }
    if (dims.length === 1) {
      // One contiguous run (a cat along the first axis, a pad of leading axes): one typed-array
      // copy, which no round trip through wasm memory could beat.
      out.set(x.subarray(src, src + box), dst);
      return;
    }
    dims.reverse();
    xst.reverse();
    ost.reverse();
    const r = dims.length * 4;
    const ptrs = small(box, MIN.place) ? null : carve(rt, srcSpan * sz + 16, dstSpan * sz + 16, r, r, r, r);
    if (!ptrs) {
      return toJs('place')(x, xShape, out, outShape, offset);
    }
    const xPtr = matching(ptrs[0], x, src),
      outPtr = matching(ptrs[1], out, dst);
    const [, , dimsPtr, xsPtr, osPtr, idxPtr] = ptrs;
    put(rt, x.subarray(src, src + srcSpan), xPtr, f64);
    put(rt, out.subarray(dst, dst + dstSpan), outPtr, f64); // the elements between the runs are kept
    putInts(rt, dims, dimsPtr);
    putInts(rt, xst, xsPtr);
    putInts(rt, ost, osPtr);
    rt.i32.fill(0, idxPtr / 4, idxPtr / 4 + dims.length);
    k.place(xPtr, outPtr, sz, box / dims[dims.length - 1], dims.length, dimsPtr, xsPtr, osPtr, idxPtr);
    out.set(view(rt, outPtr, dstSpan, f64), dst);
  }

  return { im2col, col2im, place };
}
