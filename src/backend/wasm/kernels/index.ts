// AssemblyScript entry: every kernel the wasm backend calls. Compiled by scripts/build-wasm.mjs.

export { packA32, packB32, packA64, packB64, gemm32, gemm64, gemmRows32, epilogue32 } from './gemm';
export { unary32, binary32, sumColumns32, axpy32 } from './elementwise';
