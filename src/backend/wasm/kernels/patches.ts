// AssemblyScript: im2col and col2im (a convolution's patch matrix and its adjoint) and place
// (pad, cat), f32 and f64.
//
// These follow the js kernels (js/patches.ts, js/rows.ts) loop for loop. im2col and place only
// copy (and fill padding), so the bits agree. col2im adds each patch entry into its pixel in
// the js order (rows (c, i, j), then n, oh, ow), and a pixel's additions come in that same
// order whichever lanes carry them, so its bits agree too (an f32 sum js rounds from f64 is the
// f32 sum: double rounding is harmless for one addition). The valid range of a row (the taps
// inside x) is worked out once per kernel tap instead of tested per element; stride-1 runs copy
// (im2col) or add (col2im) four f32 (two f64) lanes at a time, and stride-2 runs gather or
// scatter with shuffles, since pooling and downsampling convolutions use stride 2.

// The geometry block: 14 i32 in the order of GEOMETRY in wasm/patches.ts.
const BATCH = 0, CHANNELS = 1, HEIGHT = 2, WIDTH = 3, KERNEL_H = 4, KERNEL_W = 5, STRIDE_H = 6, STRIDE_W = 7;
const PAD_TOP = 8, PAD_LEFT = 9, DILATION_H = 10, DILATION_W = 11, OUT_H = 12, OUT_W = 13;

@inline function gi(g: usize, field: i32): i32 {
  return load<i32>(g + (<usize>field << 2));
}

/** The first output index o in [0, count) whose input position o·stride − t is ≥ 0. */
@inline function firstInside(t: i32, stride: i32, count: i32): i32 {
  return t <= 0 ? 0 : min(count, (t + stride - 1) / stride);
}

/** One past the last output index o in [0, count) whose input position o·stride − t is < size. */
@inline function endInside(t: i32, stride: i32, size: i32, count: i32): i32 {
  const room = size + t; // o·stride < room
  return room <= 0 ? 0 : min(count, (room + stride - 1) / stride);
}

@inline function fillRun<T>(dst: usize, v: T, n: i32): void {
  const sz = sizeof<T>();
  const bytes = <usize>n * sz;
  const s = sz == 4 ? f32x4.splat(<f32>v) : f64x2.splat(<f64>v);
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(dst + o, s);
  for (; o < bytes; o += sz) store<T>(dst + o, v);
}

@inline function copyRun<T>(dst: usize, src: usize, n: i32): void {
  const sz = sizeof<T>();
  const bytes = <usize>n * sz;
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(dst + o, v128.load(src + o));
  for (; o < bytes; o += sz) store<T>(dst + o, load<T>(src + o));
}

/** dst[k] = src[k·stride], k < n. Stride 2 reads one element past the last one it uses. */
@inline function gatherRun<T>(dst: usize, src: usize, n: i32, stride: i32): void {
  const sz = sizeof<T>();
  if (stride == 1) {
    copyRun<T>(dst, src, n);
    return;
  }
  let k = 0;
  if (stride == 2) {
    const lanes: i32 = 16 / sz;
    for (; k + lanes <= n; k += lanes) {
      const s = src + <usize>k * 2 * sz;
      const a = v128.load(s), b = v128.load(s + 16);
      v128.store(dst + <usize>k * sz, sz == 4 ? v128.shuffle<f32>(a, b, 0, 2, 4, 6) : v128.shuffle<f64>(a, b, 0, 2));
    }
  }
  const step = <usize>stride * sz;
  let s = src + <usize>k * step;
  for (; k < n; k++) {
    store<T>(dst + <usize>k * sz, load<T>(s));
    s += step;
  }
}

/**
 * dst[k·stride] += src[k], k < n. Stride 2 adds +0 to the element after each one it uses (and
 * one past the last): the value is unchanged, as col2im's sums are never −0 (they start at +0).
 */
@inline function scatterAddRun<T>(dst: usize, src: usize, n: i32, stride: i32): void {
  const sz = sizeof<T>();
  let k = 0;
  if (stride == 1) {
    const lanes: i32 = 16 / sz;
    for (; k + lanes <= n; k += lanes) {
      const o = <usize>k * sz;
      const d = dst + o;
      v128.store(d, sz == 4 ? f32x4.add(v128.load(d), v128.load(src + o)) : f64x2.add(v128.load(d), v128.load(src + o)));
    }
  } else if (stride == 2) {
    const lanes: i32 = 16 / sz;
    const zero = i32x4.splat(0);
    for (; k + lanes <= n; k += lanes) {
      const d = dst + <usize>k * 2 * sz;
      const c = v128.load(src + <usize>k * sz);
      if (sz == 4) {
        v128.store(d, f32x4.add(v128.load(d), v128.shuffle<f32>(c, zero, 0, 4, 1, 4)));
        v128.store(d + 16, f32x4.add(v128.load(d + 16), v128.shuffle<f32>(c, zero, 2, 4, 3, 4)));
      } else {
        v128.store(d, f64x2.add(v128.load(d), v128.shuffle<f64>(c, zero, 0, 2)));
        v128.store(d + 16, f64x2.add(v128.load(d + 16), v128.shuffle<f64>(c, zero, 1, 2)));
      }
    }
  }
  const step = <usize>stride * sz;
  let d = dst + <usize>k * step;
  for (; k < n; k++) {
    const s = src + <usize>k * sz;
    store<T>(d, load<T>(d) + load<T>(s));
    d += step;
  }
}

@inline function im2colT<T>(x: usize, g: usize, padValue: f64, out: usize): void {
  const sz = sizeof<T>();
  const batch = gi(g, BATCH), channels = gi(g, CHANNELS), height = gi(g, HEIGHT), width = gi(g, WIDTH);
  const kernelH = gi(g, KERNEL_H), kernelW = gi(g, KERNEL_W), strideH = gi(g, STRIDE_H), strideW = gi(g, STRIDE_W);
  const padTop = gi(g, PAD_TOP), padLeft = gi(g, PAD_LEFT), dilationH = gi(g, DILATION_H), dilationW = gi(g, DILATION_W);
  const outH = gi(g, OUT_H), outW = gi(g, OUT_W);
  const pad = <T>padValue;
  const hw = <usize>height * width;
  const rowBytes = <usize>outW * sz;
  let dst = out; // out is written in order: rows (c, i, j), columns (n, oh, ow)
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kernelH; i++) {
      // Tap row i reads input row oh·strideH − t: inside x for oh in [oh0, oh1).
      const t = padTop - i * dilationH;
      const oh1 = endInside(t, strideH, height, outH);
      const oh0 = min(firstInside(t, strideH, outH), oh1);
      for (let j = 0; j < kernelW; j++) {
        const u = padLeft - j * dilationW;
        const ow1 = endInside(u, strideW, width, outW);
        const ow0 = min(firstInside(u, strideW, outW), ow1);
        const inside = ow1 - ow0;
        for (let n = 0; n < batch; n++) {
          const src = x + (<usize>(n * channels + c) * hw) * sz;
          fillRun<T>(dst, pad, oh0 * outW);
          dst += <usize>oh0 * rowBytes;
          for (let oh = oh0; oh < oh1; oh++) {
            const h = oh * strideH - t;
            fillRun<T>(dst, pad, ow0);
            // the first tap inside: w = ow0·strideW − u ≥ 0
            gatherRun<T>(dst + <usize>ow0 * sz, src + (<usize>h * width + <usize>(ow0 * strideW - u)) * sz, inside, strideW);
            fillRun<T>(dst + <usize>ow1 * sz, pad, outW - ow1);
            dst += rowBytes;
          }
          fillRun<T>(dst, pad, (outH - oh1) * outW);
          dst += <usize>(outH - oh1) * rowBytes;
        }
      }
    }
  }
}

/**
 * The patch matrix of x [batch, channels, height, width] into out [channels·kernelH·kernelW,
 * batch·outH·outW], taps outside x = padValue; g: the geometry block. Stride-2 runs read one
 * element past the last one they use (the caller leaves memory after x).
 */
export function im2col32(x: usize, g: usize, padValue: f64, out: usize): void {
  im2colT<f32>(x, g, padValue, out);
}

export function im2col64(x: usize, g: usize, padValue: f64, out: usize): void {
  im2colT<f64>(x, g, padValue, out);
}

@inline function col2imT<T>(cols: usize, g: usize, out: usize): void {
  const sz = sizeof<T>();
  const batch = gi(g, BATCH), channels = gi(g, CHANNELS), height = gi(g, HEIGHT), width = gi(g, WIDTH);
  const kernelH = gi(g, KERNEL_H), kernelW = gi(g, KERNEL_W), strideH = gi(g, STRIDE_H), strideW = gi(g, STRIDE_W);
  const padTop = gi(g, PAD_TOP), padLeft = gi(g, PAD_LEFT), dilationH = gi(g, DILATION_H), dilationW = gi(g, DILATION_W);
  const outH = gi(g, OUT_H), outW = gi(g, OUT_W);
  const hw = <usize>height * width;
  memory.fill(out, 0, <usize>batch * channels * hw * sz);
  const rowBytes = <usize>outW * sz;
  let src = cols; // cols is read in order
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < kernelH; i++) {
      const t = padTop - i * dilationH;
      const oh1 = endInside(t, strideH, height, outH);
      const oh0 = min(firstInside(t, strideH, outH), oh1);
      for (let j = 0; j < kernelW; j++) {
        const u = padLeft - j * dilationW;
        const ow1 = endInside(u, strideW, width, outW);
        const ow0 = min(firstInside(u, strideW, outW), ow1);
        const inside = ow1 - ow0;
        for (let n = 0; n < batch; n++) {
          const plane = out + (<usize>(n * channels + c) * hw) * sz;
          let s = src + <usize>oh0 * rowBytes;
          for (let oh = oh0; oh < oh1; oh++) {
            const h = oh * strideH - t;
            scatterAddRun<T>(plane + (<usize>h * width + <usize>(ow0 * strideW - u)) * sz, s + <usize>ow0 * sz, inside, strideW);
            s += rowBytes;
          }
          src += <usize>outH * rowBytes;
        }
      }
    }
  }
}

/**
 * The adjoint of im2col: out [batch, channels, height, width] = Σ of each entry of cols at the
 * pixel it came from (padding taps dropped). Stride-2 runs touch one element past the last one
 * they use (the caller leaves 16 bytes of memory after out).
 */
export function col2im32(cols: usize, g: usize, out: usize): void {
  col2imT<f32>(cols, g, out);
}

export function col2im64(cols: usize, g: usize, out: usize): void {
  col2imT<f64>(cols, g, out);
}

@inline function placeT<T>(x: usize, out: usize, runs: i32, rank: i32, dims: usize, xs: usize, os: usize, idx: usize): void {
  const sz = sizeof<T>();
  const last = rank - 1;
  const len = load<i32>(dims + (<usize>last << 2));
  let src = 0, dst = 0;
  for (let r = 0; r < runs; r++) {
    copyRun<T>(out + <usize>dst * sz, x + <usize>src * sz, len);
    for (let d = last - 1; d >= 0; d--) {
      const od = <usize>d << 2;
      const k = load<i32>(idx + od) + 1;
      const a = load<i32>(xs + od), b = load<i32>(os + od);
      src += a;
      dst += b;
      const dim = load<i32>(dims + od);
      if (k < dim) {
        store<i32>(idx + od, k);
        break;
      }
      src -= a * dim;
      dst -= b * dim;
      store<i32>(idx + od, 0);
    }
  }
}

/**
 * Copies `runs` runs of dims[rank − 1] contiguous elements from x to out: the box of sizes
 * `dims`, at element strides xs in x and os in out (both 1 along the last axis); `idx` rank
 * zeroed i32 of scratch; sz the element size, 4 or 8.
 */
export function place(x: usize, out: usize, sz: i32, runs: i32, rank: i32, dims: usize, xs: usize, os: usize, idx: usize): void {
  if (sz == 4) placeT<f32>(x, out, runs, rank, dims, xs, os, idx);
  else placeT<f64>(x, out, runs, rank, dims, xs, os, idx);
}
