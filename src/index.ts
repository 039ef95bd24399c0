// nabla: neural networks for TypeScript, built around backpropagation.

export { Tensor, tensor, zeros, ones, full, rand, randn, arange, eye, type TensorOptions, type NestedArray, type DType } from './tensor.js';
export * from './ops/index.js';
export { noGrad, isGradEnabled } from './autograd/mode.js';
export { grad } from './autograd/engine.js';
export { gradcheck, type GradcheckOptions, type GradcheckReport } from './autograd/gradcheck.js';
export { manualSeed, getRngState, setRngState, type RngState } from './random.js';
export { setBackend, getBackend } from './backend/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as io from './io/index.js';
export * from './io/index.js';
export * as data from './data/index.js';
export * as train from './train/index.js';
export { fit } from './train/fit.js';
