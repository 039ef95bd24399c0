// The patch kernels in WGSL: im2col and col2im, and place (pad, cat, slices' adjoint). Each invocation owns one output
// value; col2im gathers a pixel's taps in the js kernel's order (kernel row, then column), so its
// sums are the js kernel's bit for bit.

import { geometryValues, type PatchGeometry } from '../../contract.js';
import { stridesOf, type Shape } from '../../../shape.js';
import type { DeviceBuffer } from '../memory.js';
import type { Stream } from '../stream.js';
import { f32, params, shader } from '../wgsl.js';

// Invocation i: x's element i, written at its index + offset where that is inside out. Words:
// rank, then per axis x's size, out's size, the offset (signed) and out's stride.
const PLACE = shader(
  'place',
  ['x'],
  ['out'],
  /* wgsl */ `
fn run(i: u32) {
  var rest = i;
  var dst = 0u;
  for (var d = pu(1u); d > 0u; d--) {
    let w = 2u + 4u * (d - 1u);
    let at = i32(rest % pu(w)) + pi(w + 2u);
    rest = rest / pu(w);
    if (at < 0 || at >= i32(pu(w + 1u))) { return; }
    dst += u32(at) * pu(w + 3u);
  }
  out[dst] = x[i];
}`,
);

// Words: the geometry as geometryValues lists it, then (im2col) the padding value's bits.
const GEOMETRY = /* wgsl */ `
struct G { batch: u32, channels: u32, height: u32, width: u32, kh: u32, kw: u32, sh: u32, sw: u32,
  pt: i32, pl: i32, dh: u32, dw: u32, oh: u32, ow: u32 }
fn geometry() -> G {
  return G(pu(1u), pu(2u), pu(3u), pu(4u), pu(5u), pu(6u), pu(7u), pu(8u), pi(9u), pi(10u), pu(11u), pu(12u), pu(13u), pu(14u));
}`;

// Invocation i: entry (row (c, i, j), column (n, oh, ow)) of the patch matrix.
const IM2COL = shader(
  'im2col',
  ['x'],
  ['out'],
  /* wgsl */ `
${GEOMETRY}
fn run(e: u32) {
  let g = geometry();
  let ncols = g.batch * g.oh * g.ow;
  let row = e / ncols; let col = e % ncols;
  let j = row % g.kw; let ki = (row / g.kw) % g.kh; let c = row / (g.kw * g.kh);
  let ow = col % g.ow; let oh = (col / g.ow) % g.oh; let n = col / (g.ow * g.oh);
  let h = i32(oh * g.sh + ki * g.dh) - g.pt;
  let w = i32(ow * g.sw + j * g.dw) - g.pl;
  var v = pf(15u);
  if (h >= 0 && h < i32(g.height) && w >= 0 && w < i32(g.width)) {
    v = x[((n * g.channels + c) * g.height + u32(h)) * g.width + u32(w)];
  }
  out[e] = v;
}`,
);

// Invocation p: pixel (n, c, h, w) of the image, the sum of the patch entries that read it.
const COL2IM = shader(
  'col2im',
  ['cols'],
  ['out'],
  /* wgsl */ `
${GEOMETRY}
fn run(p: u32) {
  let g = geometry();
  let w = i32(p % g.width); let h = i32((p / g.width) % g.height);
  let c = (p / (g.width * g.height)) % g.channels; let n = p / (g.width * g.height * g.channels);
  let ncols = g.batch * g.oh * g.ow;
  var sum = 0.0;
  for (var ki = 0u; ki < g.kh; ki++) {
    let th = h + g.pt - i32(ki * g.dh);
    if (th < 0 || th % i32(g.sh) != 0 || th / i32(g.sh) >= i32(g.oh)) { continue; }
    let oh = u32(th) / g.sh;
    for (var j = 0u; j < g.kw; j++) {
      let tw = w + g.pl - i32(j * g.dw);
      if (tw < 0 || tw % i32(g.sw) != 0 || tw / i32(g.sw) >= i32(g.ow)) { continue; }
      let ow = u32(tw) / g.sw;
      let row = (c * g.kh + ki) * g.kw + j;
      sum += cols[row * ncols + (n * g.oh + oh) * g.ow + ow];
    }
  }
  out[p] = sum;
}`,
);

/** The largest rank place's parameter words hold ((61 − 1) / 4 axes). */
export const PLACE_MAX_RANK = 15;

export function patchKernels(stream: Stream) {
  return {
    place(x: DeviceBuffer, xShape: Shape, out: DeviceBuffer, outShape: Shape, offset: readonly number[]): void {
      const os = stridesOf(outShape);
      const words = [xShape.length];
      xShape.forEach((s, d) => words.push(s, outShape[d], offset[d], os[d]));
      stream.dispatch(PLACE, [x.buffer, out.buffer], params(x.length, words), out.length === 0 ? 0 : x.length);
    },
    im2col(x: DeviceBuffer, g: PatchGeometry, padValue: number, out: DeviceBuffer): void {
      stream.dispatch(
        IM2COL,
        [x.buffer, out.buffer],
        params(out.length, [...geometryValues(g), f32(padValue)]),
        out.length,
      );
    },
    col2im(cols: DeviceBuffer, g: PatchGeometry, out: DeviceBuffer): void {
      stream.dispatch(COL2IM, [cols.buffer, out.buffer], params(out.length, geometryValues(g)), out.length);
    },
  };
}
