// AssemblyScript: packed matrix products over raw pointers into linear memory.
//
// C[m×n] = op(A)·op(B) is computed as in GotoBLAS/BLIS: A is packed into panels of MR rows and
// B into panels of NR columns (f32: 2×16, eight accumulators; f64: 4×4), each panel k long and
// zero-padded at the edges, so the micro-kernel streams both with unit stride whatever the
// transposes were. The tile is sized for V8's x64 register file: 16 xmm registers, one of them
// V8's scratch, so a tile may keep at most ~13 vectors live (accumulators, the B vectors of one
// step, the splat of A, the product before its add). The former 6×8 tile (12 accumulators)
// spilled four accumulators to the stack in every step and ran at ~20 GFLOPS where 4×8 and 2×16
// run at ~32–37 (one thread, AMD EPYC); 2×16 needs half the splats of 4×8 per multiply-add.
// (XNNPACK picks 4×8 on x86 for the same reason; its splat-from-a-loaded-vector variants keep
// four more vectors live and spilled here too: a splat loaded from memory costs no shuffle.)
// The C it writes is padded too (rows to MR, columns to NR, ldc = padded n); the caller
// copies the valid part out. Loops are blocked so that a KC-long slice of one B panel stays
// in L1 while a block of MC rows of A stays in L2.
//
// Every element of C is summed in the same order (p ascending within a kcOf(k) block, blocks in
// order) whichever range of tiles a thread is given, so results do not depend on threads.

const KC: i32 = 256;
const MC: i32 = 96; // a multiple of both MRs

/**
 * The length of the depth blocks: k split into ceil(k / KC) blocks as equal as can be (784 →
 * 4 × 196 rather than 3 × 256 + 16, whose short last block pays a whole pass over C for 16 steps).
 * The blocked kernel and gemmRows32 both block by it, so every element is summed the same way.
 */
@inline function kcOf(k: i32): i32 {
  const blocks = (k + KC - 1) / KC;
  return (k + blocks - 1) / blocks;
}

/** Rows per A panel: 2 for f32, 4 for f64. */
@inline function mrOf<T>(): i32 {
  return sizeof<T>() == 4 ? 2 : 4;
}

/** Columns per B panel: 16 for f32, 4 for f64. */
@inline function nrOf<T>(): i32 {
  return sizeof<T>() == 4 ? 16 : 4;
}

/** a·b + c, fused (relaxed-SIMD FMA) when the build has it and the caller asks for it. */
@inline function madd32(a: v128, b: v128, c: v128, fused: bool): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (fused) return f32x4.relaxed_madd(a, b, c);
  }
  return f32x4.add(f32x4.mul(a, b), c);
}

@inline function madd64(a: v128, b: v128, c: v128, fused: bool): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (fused) return f64x2.relaxed_madd(a, b, c);
  }
  return f64x2.add(f64x2.mul(a, b), c);
}

// ---- packing ----

/** Packs rows of A(i,p) = a[i·si + p·sp] (T elements) into MR-row panels at dst (scalar: f64, odd strides). */
function packA<T>(a: usize, si: i32, sp: i32, m: i32, k: i32, dst: usize): void {
  const sz = sizeof<T>();
  const MR = mrOf<T>();
  for (let i0 = 0; i0 < m; i0 += MR) {
    const rows = min(MR, m - i0);
    const panel = dst + <usize>i0 * k * sz;
    for (let r = 0; r < MR; r++) {
      let d = panel + <usize>r * sz;
      if (r < rows) {
        let s = a + <usize>(i0 + r) * si * sz;
        const step = <usize>sp * sz;
        for (let p = 0; p < k; p++) {
          store<T>(d, load<T>(s));
          s += step;
          d += <usize>MR * sz;
        }
      } else {
        for (let p = 0; p < k; p++) {
          store<T>(d, <T>0);
          d += <usize>MR * sz;
        }
      }
    }
  }
}

/** Packs columns of B(p,j) = b[p·sp + j·sj] into NR-column panels at dst (scalar: f64, edges). */
function packB<T>(b: usize, sp: i32, sj: i32, k: i32, n: i32, j0: i32, dst: usize): void {
  const sz = sizeof<T>();
  const nr = nrOf<T>();
  for (; j0 < n; j0 += nr) {
    const cols = min(nr, n - j0);
    const panel = dst + <usize>j0 * k * sz;
    if (cols == nr && sj == 1 && sz == 8) {
      // Rows of the panel are contiguous in B: two vector copies per p.
      let s = b + <usize>j0 * sz;
      let d = panel;
      const step = <usize>sp * sz;
      for (let p = 0; p < k; p++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        s += step;
        d += 32;
      }
      continue;
    }
    for (let c = 0; c < nr; c++) {
      let d = panel + <usize>c * sz;
      if (c < cols) {
        let s = b + <usize>(j0 + c) * sj * sz;
        const step = <usize>sp * sz;
        for (let p = 0; p < k; p++) {
          store<T>(d, load<T>(s));
          s += step;
          d += <usize>nr * sz;
        }
      } else {
        for (let p = 0; p < k; p++) {
          store<T>(d, <T>0);
          d += <usize>nr * sz;
        }
      }
    }
  }
}

/**
 * f32 A panels (2 rows, interleaved per p). A row-major (sp = 1): four steps of both rows per
 * pair of vector loads, interleaved by two shuffles; A transposed (si = 1): the panel's two
 * values at each p are adjacent in A, one 64-bit copy. Other strides: the scalar packA.
 */
export function packA32(a: usize, si: i32, sp: i32, m: i32, k: i32, dst: usize): void {
  if (sp != 1 && si != 1) {
    packA<f32>(a, si, sp, m, k, dst);
    return;
  }
  const full = m & ~1;
  for (let i0 = 0; i0 < full; i0 += 2) {
    let d = dst + <usize>i0 * k * 4;
    if (sp == 1) {
      let s0 = a + <usize>i0 * si * 4;
      let s1 = s0 + <usize>si * 4;
      let p = 0;
      for (; p + 4 <= k; p += 4) {
        const v0 = v128.load(s0);
        const v1 = v128.load(s1);
        v128.store(d, i32x4.shuffle(v0, v1, 0, 4, 1, 5));
        v128.store(d, i32x4.shuffle(v0, v1, 2, 6, 3, 7), 16);
        s0 += 16;
        s1 += 16;
        d += 32;
      }
      for (; p < k; p++) {
        store<f32>(d, load<f32>(s0));
        store<f32>(d, load<f32>(s1), 4);
        s0 += 4;
        s1 += 4;
        d += 8;
      }
    } else {
      let s = a + <usize>i0 * 4;
      const step = <usize>sp * 4;
      if (i0 + 8 <= full) {
        // Four panels at once: the eight values of a step are 32 contiguous bytes of A (reading
        // one panel's 8 bytes per step would touch every cache line of A four times).
        const pb = <usize>k * 8; // bytes per panel
        for (let p = 0; p < k; p++) {
          const v0 = v128.load(s);
          const v1 = v128.load(s, 16);
          v128.store64_lane(d, v0, 0);
          v128.store64_lane(d + pb, v0, 1);
          v128.store64_lane(d + 2 * pb, v1, 0);
          v128.store64_lane(d + 3 * pb, v1, 1);
          s += step;
          d += 8;
        }
        i0 += 6;
        continue;
      }
      for (let p = 0; p < k; p++) {
        store<u64>(d, load<u64>(s));
        s += step;
        d += 8;
      }
    }
  }
  if (full < m) packA<f32>(a + <usize>full * si * 4, si, sp, m - full, k, dst + <usize>full * k * 4);
}

/**
 * f32 B panels (16 columns, one row of 16 per p). B row-major (sj = 1): four vector copies per p;
 * B transposed (sp = 1): 4×4 blocks (four columns × four steps) loaded and transposed by
 * shuffles. The last, partial panel (and other strides): the scalar packB.
 */
export function packB32(b: usize, sp: i32, sj: i32, k: i32, n: i32, dst: usize): void {
  const full = sj == 1 || sp == 1 ? n & ~15 : 0;
  for (let j0 = 0; j0 < full; j0 += 16) {
    const panel = dst + <usize>j0 * k * 4;
    if (sj == 1) {
      let s = b + <usize>j0 * 4;
      let d = panel;
      const step = <usize>sp * 4;
      for (let p = 0; p < k; p++) {
        v128.store(d, v128.load(s));
        v128.store(d, v128.load(s, 16), 16);
        v128.store(d, v128.load(s, 32), 32);
        v128.store(d, v128.load(s, 48), 48);
        s += step;
        d += 64;
      }
    } else {
      const col = <usize>sj * 4; // bytes from one column of the panel to the next
      for (let g = 0; g < 4; g++) {
        let s = b + <usize>(j0 + 4 * g) * col;
        let d = panel + <usize>g * 16;
        let p = 0;
        for (; p + 4 <= k; p += 4) {
          const r0 = v128.load(s); // column 4g, steps p..p+3
          const r1 = v128.load(s + col);
          const r2 = v128.load(s + 2 * col);
          const r3 = v128.load(s + 3 * col);
          const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); // (c0 p0, c1 p0, c0 p1, c1 p1)
          const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
          const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
          const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
          v128.store(d, i64x2.shuffle(t0, t1, 0, 2));
          v128.store(d, i64x2.shuffle(t0, t1, 1, 3), 64);
          v128.store(d, i64x2.shuffle(t2, t3, 0, 2), 128);
          v128.store(d, i64x2.shuffle(t2, t3, 1, 3), 192);
          s += 16;
          d += 256;
        }
        for (; p < k; p++) {
          store<f32>(d, load<f32>(s));
          store<f32>(d, load<f32>(s + col), 4);
          store<f32>(d, load<f32>(s + 2 * col), 8);
          store<f32>(d, load<f32>(s + 3 * col), 12);
          s += 4;
          d += 64;
        }
      }
    }
  }
  if (full < n) packB<f32>(b, sp, sj, k, n, full, dst);
}

export function packA64(a: usize, si: i32, sp: i32, m: i32, k: i32, dst: usize): void { packA<f64>(a, si, sp, m, k, dst); }
export function packB64(b: usize, sp: i32, sj: i32, k: i32, n: i32, dst: usize): void { packB<f64>(b, sp, sj, k, n, 0, dst); }

// ---- micro-kernels: an MR×NR tile of C (2×16 f32, 4×4 f64) from kc steps of one A panel and one B panel ----

@inline function micro32(a: usize, b: usize, c: usize, ldc: i32, kc: i32, acc: bool, fused: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const b2 = v128.load(b, 32);
    const b3 = v128.load(b, 48);
    let x = v128.load32_splat(a);
    c00 = madd32(x, b0, c00, fused);
    c01 = madd32(x, b1, c01, fused);
    c02 = madd32(x, b2, c02, fused);
    c03 = madd32(x, b3, c03, fused);
    x = v128.load32_splat(a, 4);
    c10 = madd32(x, b0, c10, fused);
    c11 = madd32(x, b1, c11, fused);
    c12 = madd32(x, b2, c12, fused);
    c13 = madd32(x, b3, c13, fused);
    a += 8;
    b += 64;
  }
  const c1 = c + <usize>ldc * 4;
  if (acc) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c02 = f32x4.add(v128.load(c, 32), c02);
    c03 = f32x4.add(v128.load(c, 48), c03);
    c10 = f32x4.add(v128.load(c1), c10);
    c11 = f32x4.add(v128.load(c1, 16), c11);
    c12 = f32x4.add(v128.load(c1, 32), c12);
    c13 = f32x4.add(v128.load(c1, 48), c13);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c, c02, 32);
  v128.store(c, c03, 48);
  v128.store(c1, c10);
  v128.store(c1, c11, 16);
  v128.store(c1, c12, 32);
  v128.store(c1, c13, 48);
}

@inline function micro64(a: usize, b: usize, c: usize, ldc: i32, kc: i32, acc: bool, fused: bool): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load64_splat(a);
    c00 = madd64(x, b0, c00, fused);
    c01 = madd64(x, b1, c01, fused);
    x = v128.load64_splat(a, 8);
    c10 = madd64(x, b0, c10, fused);
    c11 = madd64(x, b1, c11, fused);
    x = v128.load64_splat(a, 16);
    c20 = madd64(x, b0, c20, fused);
    c21 = madd64(x, b1, c21, fused);
    x = v128.load64_splat(a, 24);
    c30 = madd64(x, b0, c30, fused);
    c31 = madd64(x, b1, c31, fused);
    a += 32;
    b += 32;
  }
  const ld = <usize>ldc * 8;
  if (acc) {
    c00 = f64x2.add(v128.load(c), c00);
    c01 = f64x2.add(v128.load(c, 16), c01);
    c10 = f64x2.add(v128.load(c + ld), c10);
    c11 = f64x2.add(v128.load(c + ld, 16), c11);
    c20 = f64x2.add(v128.load(c + 2 * ld), c20);
    c21 = f64x2.add(v128.load(c + 2 * ld, 16), c21);
    c30 = f64x2.add(v128.load(c + 3 * ld), c30);
    c31 = f64x2.add(v128.load(c + 3 * ld, 16), c31);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ld, c10);
  v128.store(c + ld, c11, 16);
  v128.store(c + 2 * ld, c20);
  v128.store(c + 2 * ld, c21, 16);
  v128.store(c + 3 * ld, c30);
  v128.store(c + 3 * ld, c31, 16);
}

// ---- the blocked driver over a range of tiles [i0, i1) × [j0, j1) of the padded C ----

@inline function blocked<T>(ap: usize, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, j0: i32, j1: i32, fused: bool): void {
  const sz = sizeof<T>();
  const nr = nrOf<T>();
  const MR = mrOf<T>();
  const kcb = kcOf(k);
  for (let pc = 0; pc < k; pc += kcb) {
    const kc = min(kcb, k - pc);
    const acc = pc > 0;
    for (let ic = i0; ic < i1; ic += MC) {
      const ie = min(ic + MC, i1);
      for (let j = j0; j < j1; j += nr) {
        const bpan = bp + (<usize>j * k + <usize>pc * nr) * sz;
        for (let i = ic; i < ie; i += MR) {
          const apan = ap + (<usize>i * k + <usize>pc * MR) * sz;
          const cij = c + (<usize>i * ldc + <usize>j) * sz;
          if (sz == 4) micro32(apan, bpan, cij, ldc, kc, acc, fused);
          else micro64(apan, bpan, cij, ldc, kc, acc, fused);
        }
      }
    }
  }
}

// ---- rows left over below one MR-row panel (batch-1 inference, the last rows of a batch) ----

/**
 * Rows [i0, i1) of C from A as stored (A(i,p) = a[i·si + p·sp], f32) and packed B panels,
 * without padding them to MR rows. Each element is summed exactly as the blocked kernel sums
 * it (lane by lane, p ascending from 0 within a kcOf(k) block, the blocks added in order), so a row
 * gets the same bits whichever kernel computes it.
 */
export function gemmRows32(a: usize, si: i32, sp: i32, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, np: i32, fused: bool): void {
  if (fused) gemmRows32Fused(a, si, sp, bp, c, ldc, k, i0, i1, np);
  else gemmRows32Plain(a, si, sp, bp, c, ldc, k, i0, i1, np);
}

// The plain and fused bodies are separate exported functions, not two arms of one `if`:
// binaryen (-O3) folds two near-identical arms into one loop that computes both and picks one
// per multiply-add (a `select`), which V8 turns into a branch per step and spills; that
// merged loop ran the relaxed-SIMD build at ~6 GFLOPS on both paths. Exported functions
// called from two places are not inlined back.
export function gemmRows32Plain(a: usize, si: i32, sp: i32, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, np: i32): void {
  rows32(a, si, sp, bp, c, ldc, k, i0, i1, np, false);
}

export function gemmRows32Fused(a: usize, si: i32, sp: i32, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, np: i32): void {
  rows32(a, si, sp, bp, c, ldc, k, i0, i1, np, true);
}

@inline function rows32(a: usize, si: i32, sp: i32, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, np: i32, fused: bool): void {
  const step = <usize>sp * 4;
  const kcb = kcOf(k);
  for (let pc = 0; pc < k; pc += kcb) {
    const kc = min(kcb, k - pc);
    for (let i = i0; i < i1; i++) {
      const arow = a + (<usize>i * si + <usize>pc * sp) * 4;
      for (let j = 0; j < np; j += 16) {
        let b = bp + (<usize>j * k + <usize>pc * 16) * 4;
        let s = arow;
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
        for (let p = 0; p < kc; p++) {
          const x = v128.load32_splat(s);
          c0 = madd32(x, v128.load(b), c0, fused);
          c1 = madd32(x, v128.load(b, 16), c1, fused);
          c2 = madd32(x, v128.load(b, 32), c2, fused);
          c3 = madd32(x, v128.load(b, 48), c3, fused);
          s += step;
          b += 64;
        }
        const cij = c + (<usize>i * ldc + <usize>j) * 4;
        if (pc > 0) {
          c0 = f32x4.add(v128.load(cij), c0);
          c1 = f32x4.add(v128.load(cij, 16), c1);
          c2 = f32x4.add(v128.load(cij, 32), c2);
          c3 = f32x4.add(v128.load(cij, 48), c3);
        }
        v128.store(cij, c0);
        v128.store(cij, c1, 16);
        v128.store(cij, c2, 32);
        v128.store(cij, c3, 48);
      }
    }
  }
}

export function gemm32(ap: usize, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, j0: i32, j1: i32, fused: bool): void {
  if (fused) gemm32Fused(ap, bp, c, ldc, k, i0, i1, j0, j1);
  else gemm32Plain(ap, bp, c, ldc, k, i0, i1, j0, j1);
}

export function gemm32Plain(ap: usize, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, j0: i32, j1: i32): void {
  blocked<f32>(ap, bp, c, ldc, k, i0, i1, j0, j1, false);
}

export function gemm32Fused(ap: usize, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, j0: i32, j1: i32): void {
  blocked<f32>(ap, bp, c, ldc, k, i0, i1, j0, j1, true);
}

export function gemm64(ap: usize, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, j0: i32, j1: i32, fused: bool): void {
  if (fused) gemm64Fused(ap, bp, c, ldc, k, i0, i1, j0, j1);
  else gemm64Plain(ap, bp, c, ldc, k, i0, i1, j0, j1);
}

export function gemm64Plain(ap: usize, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, j0: i32, j1: i32): void {
  blocked<f64>(ap, bp, c, ldc, k, i0, i1, j0, j1, false);
}

export function gemm64Fused(ap: usize, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, j0: i32, j1: i32): void {
  blocked<f64>(ap, bp, c, ldc, k, i0, i1, j0, j1, true);
}

// ---- the epilogue: bias row and ReLU on the padded C, before it is copied out ----

/**
 * c[i, j] ← c[i, j] + bias[j] for rows [0, m) (bias holds np values, zero-padded), then
 * relu(·) as the relu kernel computes it (NaN stays NaN, −0 stays −0) when `relu`. The product is
 * complete before the bias is added, so the bits are those of matmul, add, relu run apart.
 */
export function epilogue32(c: usize, ldc: i32, m: i32, np: i32, bias: usize, hasBias: bool, relu: bool): void {
  const zero = f32x4.splat(0);
  for (let i = 0; i < m; i++) {
    let p = c + <usize>i * ldc * 4;
    for (let j = 0; j < np; j += 4) {
      let v = v128.load(p);
      if (hasBias) v = f32x4.add(v, v128.load(bias + (<usize>j << 2)));
      if (relu) v = v128.bitselect(zero, v, f32x4.lt(v, zero));
      v128.store(p, v);
      p += 16;
    }
  }
}

/** epilogue32 for f64: two lanes at a time. */
export function epilogue64(c: usize, ldc: i32, m: i32, np: i32, bias: usize, hasBias: bool, relu: bool): void {
  const zero = f64x2.splat(0);
  for (let i = 0; i < m; i++) {
    let p = c + <usize>i * ldc * 8;
    for (let j = 0; j < np; j += 2) {
      let v = v128.load(p);
      if (hasBias) v = f64x2.add(v, v128.load(bias + (<usize>j << 3)));
      if (relu) v = v128.bitselect(zero, v, f64x2.lt(v, zero));
      v128.store(p, v);
      p += 16;
    }
  }
}
