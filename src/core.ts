// The browser-safe core: tensors, ops, autograd, nn, optim and the backends. No Node APIs:
// the playground and any web page import this; src/index.ts adds the Node-only parts.

export { Tensor, tensor, zeros, ones, full, rand, randn, arange, eye, type TensorOptions, type NestedArray, type DType } from './tensor.js';
export * from './ops/index.js';
export { noGrad, isGradEnabled } from './autograd/mode.js';
export { grad } from './autograd/engine.js';
export { gradcheck, type GradcheckOptions, type GradcheckReport } from './autograd/gradcheck.js';
export { manualSeed, getRngState, setRngState, type RngState } from './random.js';
export { setBackend, getBackend, listBackends, registerBackend, ready } from './backend/index.js';
export { setNumThreads, setDeterministic, isDeterministic } from './backend/settings.js';
export type { Backend } from './backend/contract.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
