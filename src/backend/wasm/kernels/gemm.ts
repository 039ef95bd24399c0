// AssemblyScript: packed matrix products over raw pointers into linear memory.
//
// C[m×n] = op(A)·op(B) is computed as in GotoBLAS/BLIS: A is packed into panels of MR rows and
// B into panels of NR columns (f32: 6×8, twelve accumulators; f64: 4×4), each panel k long and
// zero-padded at the edges, so the micro-kernel streams both with unit stride whatever the
// transposes were. The C it writes is padded too (rows to MR, columns to NR, ldc = padded n); the caller
// copies the valid part out. Loops are blocked so that a KC-long slice of one B panel stays
// in L1 while a block of MC rows of A stays in L2.
//
// Every element of C is summed in the same order (p ascending within a KC block, blocks in
// order) whichever range of tiles a thread is given, so results do not depend on threads.

const KC: i32 = 256;
const MC: i32 = 96; // a multiple of both MRs

/** Rows per A panel: 6 for f32, 4 for f64 (its tile needs twice the registers per column). */
@inline function mrOf<T>(): i32 {
  return sizeof<T>() == 4 ? 6 : 4;
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

/** Packs rows of A(i,p) = a[i·si + p·sp] (T elements) into MR-row panels at dst. */
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

/** Packs columns of B(p,j) = b[p·sp + j·sj] into NR-column panels at dst. */
function packB<T>(b: usize, sp: i32, sj: i32, k: i32, n: i32, dst: usize): void {
  const sz = sizeof<T>();
  const nr: i32 = sz == 4 ? 8 : 4;
  for (let j0 = 0; j0 < n; j0 += nr) {
    const cols = min(nr, n - j0);
    const panel = dst + <usize>j0 * k * sz;
    if (cols == nr && sj == 1) {
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

export function packA32(a: usize, si: i32, sp: i32, m: i32, k: i32, dst: usize): void { packA<f32>(a, si, sp, m, k, dst); }
export function packB32(b: usize, sp: i32, sj: i32, k: i32, n: i32, dst: usize): void { packB<f32>(b, sp, sj, k, n, dst); }
export function packA64(a: usize, si: i32, sp: i32, m: i32, k: i32, dst: usize): void { packA<f64>(a, si, sp, m, k, dst); }
export function packB64(b: usize, sp: i32, sj: i32, k: i32, n: i32, dst: usize): void { packB<f64>(b, sp, sj, k, n, dst); }

// ---- micro-kernels: an MR×NR tile of C (6×8 f32, 4×4 f64) from kc steps of one A panel and one B panel ----

@inline function micro32(a: usize, b: usize, c: usize, ldc: i32, kc: i32, acc: bool, fused: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    let x = v128.load32_splat(a);
    c00 = madd32(x, b0, c00, fused);
    c01 = madd32(x, b1, c01, fused);
    x = v128.load32_splat(a, 4);
    c10 = madd32(x, b0, c10, fused);
    c11 = madd32(x, b1, c11, fused);
    x = v128.load32_splat(a, 8);
    c20 = madd32(x, b0, c20, fused);
    c21 = madd32(x, b1, c21, fused);
    x = v128.load32_splat(a, 12);
    c30 = madd32(x, b0, c30, fused);
    c31 = madd32(x, b1, c31, fused);
    x = v128.load32_splat(a, 16);
    c40 = madd32(x, b0, c40, fused);
    c41 = madd32(x, b1, c41, fused);
    x = v128.load32_splat(a, 20);
    c50 = madd32(x, b0, c50, fused);
    c51 = madd32(x, b1, c51, fused);
    a += 24;
    b += 32;
  }
  const ld = <usize>ldc * 4;
  if (acc) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c10 = f32x4.add(v128.load(c + ld), c10);
    c11 = f32x4.add(v128.load(c + ld, 16), c11);
    c20 = f32x4.add(v128.load(c + 2 * ld), c20);
    c21 = f32x4.add(v128.load(c + 2 * ld, 16), c21);
    c30 = f32x4.add(v128.load(c + 3 * ld), c30);
    c31 = f32x4.add(v128.load(c + 3 * ld, 16), c31);
    c40 = f32x4.add(v128.load(c + 4 * ld), c40);
    c41 = f32x4.add(v128.load(c + 4 * ld, 16), c41);
    c50 = f32x4.add(v128.load(c + 5 * ld), c50);
    c51 = f32x4.add(v128.load(c + 5 * ld, 16), c51);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ld, c10);
  v128.store(c + ld, c11, 16);
  v128.store(c + 2 * ld, c20);
  v128.store(c + 2 * ld, c21, 16);
  v128.store(c + 3 * ld, c30);
  v128.store(c + 3 * ld, c31, 16);
  v128.store(c + 4 * ld, c40);
  v128.store(c + 4 * ld, c41, 16);
  v128.store(c + 5 * ld, c50);
  v128.store(c + 5 * ld, c51, 16);
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
  const nr: i32 = sz == 4 ? 8 : 4;
  const MR = mrOf<T>();
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
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
 * it (lane by lane, p ascending from 0 within a KC block, the blocks added in order), so a row
 * gets the same bits whichever kernel computes it.
 */
export function gemmRows32(a: usize, si: i32, sp: i32, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, np: i32, fused: bool): void {
  if (fused) rows32(a, si, sp, bp, c, ldc, k, i0, i1, np, true);
  else rows32(a, si, sp, bp, c, ldc, k, i0, i1, np, false);
}

@inline function rows32(a: usize, si: i32, sp: i32, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, np: i32, fused: bool): void {
  const step = <usize>sp * 4;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    for (let i = i0; i < i1; i++) {
      const arow = a + (<usize>i * si + <usize>pc * sp) * 4;
      for (let j = 0; j < np; j += 8) {
        let b = bp + (<usize>j * k + <usize>pc * 8) * 4;
        let s = arow;
        let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
        for (let p = 0; p < kc; p++) {
          const x = v128.load32_splat(s);
          c0 = madd32(x, v128.load(b), c0, fused);
          c1 = madd32(x, v128.load(b, 16), c1, fused);
          s += step;
          b += 32;
        }
        const cij = c + (<usize>i * ldc + <usize>j) * 4;
        if (pc > 0) {
          c0 = f32x4.add(v128.load(cij), c0);
          c1 = f32x4.add(v128.load(cij, 16), c1);
        }
        v128.store(cij, c0);
        v128.store(cij, c1, 16);
      }
    }
  }
}

export function gemm32(ap: usize, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, j0: i32, j1: i32, fused: bool): void {
  if (fused) blocked<f32>(ap, bp, c, ldc, k, i0, i1, j0, j1, true);
  else blocked<f32>(ap, bp, c, ldc, k, i0, i1, j0, j1, false);
}

export function gemm64(ap: usize, bp: usize, c: usize, ldc: i32, k: i32, i0: i32, i1: i32, j0: i32, j1: i32, fused: bool): void {
  if (fused) blocked<f64>(ap, bp, c, ldc, k, i0, i1, j0, j1, true);
  else blocked<f64>(ap, bp, c, ldc, k, i0, i1, j0, j1, false);
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
