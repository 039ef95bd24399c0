// Loads the AssemblyScript kernels (base64 in generated/kernels.ts, built by scripts/build-wasm.mjs)
// and owns their linear memory: a scratch arena that each call packs into, never user-visible.
//
// Variant choice: relaxed-SIMD (FMA) when the engine validates that build (Node 20 needs
// --experimental-wasm-relaxed-simd; browsers ship it), else plain SIMD; shared memory (for
// worker threads) when SharedArrayBuffer exists and, in a browser, the page is cross-origin
// isolated. Without SIMD the wasm backend is unavailable and js stays the default.

import * as variants from './generated/kernels.js';

/** The AssemblyScript module's exports (kernels/index.ts): the entry points the wasm backend's kernels call. */
export interface Exports {
  packA32(a: number, si: number, sp: number, m: number, k: number, dst: number): void;
  packB32(b: number, sp: number, sj: number, k: number, n: number, dst: number): void;
  packA64(a: number, si: number, sp: number, m: number, k: number, dst: number): void;
  packB64(b: number, sp: number, sj: number, k: number, n: number, dst: number): void;
  gemm32(
    ap: number,
    bp: number,
    c: number,
    ldc: number,
    k: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
    fused: number,
  ): void;
  gemm64(
    ap: number,
    bp: number,
    c: number,
    ldc: number,
    k: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
    fused: number,
  ): void;
  gemmRows32(
    a: number,
    si: number,
    sp: number,
    bp: number,
    c: number,
    ldc: number,
    k: number,
    i0: number,
    i1: number,
    np: number,
    fused: number,
  ): void;
  /** gemm32/gemm64 with the path fixed (measureFma times them against each other). */
  gemm32Plain(
    ap: number,
    bp: number,
    c: number,
    ldc: number,
    k: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
  ): void;
  gemm32Fused(
    ap: number,
    bp: number,
    c: number,
    ldc: number,
    k: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
  ): void;
  gemm64Plain(
    ap: number,
    bp: number,
    c: number,
    ldc: number,
    k: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
  ): void;
  gemm64Fused(
    ap: number,
    bp: number,
    c: number,
    ldc: number,
    k: number,
    i0: number,
    i1: number,
    j0: number,
    j1: number,
  ): void;
  epilogue32(c: number, ldc: number, m: number, np: number, bias: number, hasBias: number, relu: number): void;
  epilogue64(c: number, ldc: number, m: number, np: number, bias: number, hasBias: number, relu: number): void;
  unary32(op: number, x: number, out: number, n: number, p: number, q: number): void;
  unary64(op: number, x: number, out: number, n: number, p: number, q: number): void;
  binary32(
    op: number,
    a: number,
    b: number,
    out: number,
    n: number,
    rank: number,
    dims: number,
    sa: number,
    sb: number,
    idx: number,
  ): void;
  binary64(
    op: number,
    a: number,
    b: number,
    out: number,
    n: number,
    rank: number,
    dims: number,
    sa: number,
    sb: number,
    idx: number,
  ): void;
  reduceRows32(op: number, x: number, out: number, rows: number, inner: number): void;
  reduceRows64(op: number, x: number, out: number, rows: number, inner: number): void;
  reduceNd32(
    op: number,
    x: number,
    out: number,
    n: number,
    outLen: number,
    rank: number,
    dims: number,
    os: number,
    idx: number,
  ): void;
  reduceNd64(
    op: number,
    x: number,
    out: number,
    n: number,
    outLen: number,
    rank: number,
    dims: number,
    os: number,
    idx: number,
  ): void;
  permute(x: number, out: number, sz: number, n: number, rank: number, dims: number, rs: number, idx: number): void;
  im2col32(x: number, g: number, padValue: number, out: number): void;
  im2col64(x: number, g: number, padValue: number, out: number): void;
  col2im32(cols: number, g: number, out: number): void;
  col2im64(cols: number, g: number, out: number): void;
  place(
    x: number,
    out: number,
    sz: number,
    runs: number,
    rank: number,
    dims: number,
    xs: number,
    os: number,
    idx: number,
  ): void;
  axpy32(y: number, x: number, n: number, alpha: number): void;
  axpy64(y: number, x: number, n: number, alpha: number): void;
  scale32(x: number, n: number, alpha: number): void;
  scale64(x: number, n: number, alpha: number): void;
  normAccumulate32(x: number, n: number, p: number, acc: number): number;
  normAccumulate64(x: number, n: number, p: number, acc: number): number;
  logSoftmax32(x: number, out: number, rows: number, cols: number): void;
  logSoftmax64(x: number, out: number, rows: number, cols: number): void;
  pick(x: number, idx: number, rows: number, cols: number, out: number, sz: number): void;
  unpick(g: number, idx: number, rows: number, cols: number, out: number, sz: number): void;
  sgd32(
    p: number,
    g: number,
    b: number,
    n: number,
    lr: number,
    mu: number,
    dampening: number,
    nesterov: number,
    wd: number,
    first: number,
  ): void;
  sgd64(
    p: number,
    g: number,
    b: number,
    n: number,
    lr: number,
    mu: number,
    dampening: number,
    nesterov: number,
    wd: number,
    first: number,
  ): void;
  adam32(
    p: number,
    g: number,
    m: number,
    v: number,
    vMax: number,
    n: number,
    lr: number,
    b1: number,
    b2: number,
    eps: number,
    wd: number,
    decoupled: number,
    stepSize: number,
    bc2Sqrt: number,
  ): void;
  adam64(
    p: number,
    g: number,
    m: number,
    v: number,
    vMax: number,
    n: number,
    lr: number,
    b1: number,
    b2: number,
    eps: number,
    wd: number,
    decoupled: number,
    stepSize: number,
    bc2Sqrt: number,
  ): void;
  rmsprop32(
    p: number,
    g: number,
    s: number,
    gAvg: number,
    b: number,
    n: number,
    lr: number,
    alpha: number,
    eps: number,
    wd: number,
    mu: number,
  ): void;
  rmsprop64(
    p: number,
    g: number,
    s: number,
    gAvg: number,
    b: number,
    n: number,
    lr: number,
    alpha: number,
    eps: number,
    wd: number,
    mu: number,
  ): void;
  /** End of the module's static data (Math tables), which starts at CONTROL_BYTES. */
  heapBase(): number;
}

const PAGE = 65536;
const MAX_PAGES = 32768; // must match scripts/build-wasm.mjs
/**
 * Bytes 0..CONTROL_BYTES hold the thread pool's control words, then the module's static data
 * (--memoryBase in scripts/build-wasm.mjs); the arena starts after both (Runtime.base).
 */
export const CONTROL_BYTES = 512;

export interface Runtime {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly exports: Exports;
  readonly shared: boolean;
  readonly relaxed: boolean;
  /** Where the arena starts: past the control words and the static data, 64-byte aligned. */
  readonly base: number;
  /**
   * Where each kernel call's scratch arena starts: after `base` and the packed panels cached
   * between calls (panels.ts moves it); nothing in it outlives a call.
   */
  scratch: number;
  /** Float views of the whole memory (refreshed after growth by ensure). */
  f32: Float32Array;
  f64: Float64Array;
  i32: Int32Array;
  /** Grows the memory so that byte offsets below `end` are usable. */
  ensure(end: number): void;
}

function decode(b64: string): Uint8Array<ArrayBuffer> {
  const s = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(s.length));
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer !== 'function') return false;
  const g = globalThis as { crossOriginIsolated?: boolean };
  return g.crossOriginIsolated !== false; // undefined in Node, a boolean in browsers
}

interface Choice {
  bytes: Uint8Array<ArrayBuffer>;
  shared: boolean;
  relaxed: boolean;
}

/**
 * The builds to try, best first: for shared memory (threads) if the engine allows it, then for
 * plain memory (in case a shared memory cannot be allocated); in each, relaxed SIMD if valid.
 */
function choices(): Choice[] {
  if (typeof WebAssembly !== 'object') return [];
  const list: Choice[] = [];
  for (const shared of canShareMemory() ? [true, false] : [false]) {
    const relaxedBytes = decode(shared ? variants.relaxedShared : variants.relaxed);
    const simdBytes = decode(shared ? variants.simdShared : variants.simd);
    if (WebAssembly.validate(relaxedBytes)) list.push({ bytes: relaxedBytes, shared, relaxed: true });
    else if (WebAssembly.validate(simdBytes)) list.push({ bytes: simdBytes, shared, relaxed: false });
  }
  return list;
}

function build(c: Choice, module: WebAssembly.Module): Runtime {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: MAX_PAGES, shared: c.shared });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  // Only this thread grows the memory, so its size is tracked here rather than read from
  // memory.buffer, whose getter costs more than a small kernel call.
  let size = memory.buffer.byteLength;
  const exports = instance.exports as unknown as Exports;
  const base = (exports.heapBase() + 63) & ~63;
  const rt: Runtime = {
    module,
    memory,
    exports,
    shared: c.shared,
    relaxed: c.relaxed,
    base,
    scratch: base,
    f32: new Float32Array(memory.buffer),
    f64: new Float64Array(memory.buffer),
    i32: new Int32Array(memory.buffer),
    ensure(end: number): void {
      if (end <= size) return;
      const pages = Math.ceil((end - size) / PAGE);
      if (size / PAGE + pages > MAX_PAGES)
        throw new Error(`wasm backend: needs ${end} bytes of scratch memory, more than the 2 GiB maximum`);
      memory.grow(pages);
      size = memory.buffer.byteLength;
      rt.f32 = new Float32Array(memory.buffer);
      rt.f64 = new Float64Array(memory.buffer);
      rt.i32 = new Int32Array(memory.buffer);
    },
  };
  return rt;
}

/**
 * Compiles and instantiates synchronously where the engine allows it (always in Node; browsers
 * may refuse synchronous compiles on the main thread), else asynchronously.
 * Returns null when the engine has no wasm SIMD.
 */
export function loadRuntime(): Runtime | Promise<Runtime | null> | null {
  const list = choices();
  for (const [i, c] of list.entries()) {
    let module: WebAssembly.Module;
    try {
      module = new WebAssembly.Module(c.bytes);
    } catch {
      return loadAsync(list.slice(i)); // synchronous compiles refused here
    }
    try {
      return build(c, module);
    } catch {
      // e.g. a shared memory could not be allocated: try the next build
    }
  }
  return null;
}

async function loadAsync(list: Choice[]): Promise<Runtime | null> {
  for (const c of list) {
    try {
      return build(c, await WebAssembly.compile(c.bytes));
    } catch {
      // try the next build
    }
  }
  return null;
}
