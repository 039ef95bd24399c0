// AssemblyScript entry: every kernel the wasm backend calls. Compiled by scripts/build-wasm.mjs.

export {
  packA32, packB32, packA64, packB64, gemm32, gemm64, gemmRows32, epilogue32, epilogue64,
  gemm32Plain, gemm32Fused, gemm64Plain, gemm64Fused, gemmRows32Plain, gemmRows32Fused,
} from './matmul';
export { unary32, unary64, binary32, binary64 } from './elementwise';
export { reduceRows32, reduceRows64, reduceNd32, reduceNd64, permute, logSoftmax32, logSoftmax64, pick, unpick } from './rows';
export { im2col32, im2col64, col2im32, col2im64, place } from './patches';
export {
  axpy32, axpy64, scale32, scale64, normAccumulate32, normAccumulate64, sgd32, sgd64, adam32, adam64, rmsprop32, rmsprop64,
} from './optim';

/** Where static data (the Math tables) ends: the runtime's arena starts past it. */
export function heapBase(): usize {
  return __heap_base;
}
