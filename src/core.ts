/**
 * The browser-safe core of nabla: tensors, ops, autograd, `nn`, `optim` and the backends, with
 * no Node APIs. A bundler resolves `import ... from 'nabla'` to this module in the browser
 * (package.json `exports`, condition `browser`); in Node, `nabla` adds model files, data
 * loading and training to it (module `nabla`). Everything here is also exported by `nabla`.
 *
 * @example
 * ```ts
 * import { tensor, nn } from 'nabla';
 * const y = new nn.Linear(2, 3).forward(tensor([[1, 2]]));   // [1, 3]
 * ```
 *
 * @module nabla (browser)
 */
// The playground and any web page import this; src/index.ts adds the Node-only parts.

export {
  Tensor,
  readAll,
  tensor,
  zeros,
  ones,
  full,
  rand,
  randn,
  arange,
  eye,
  type TensorOptions,
  type NestedArray,
  type DType,
  type Data,
  type GradFn,
} from './tensor.js';
export type { Shape } from './shape.js';
export * from './ops/index.js';
export { noGrad, isGradEnabled } from './autograd/mode.js';
export { grad, type BackwardOptions, type GradOptions } from './autograd/engine.js';
export { gradcheck, type GradcheckOptions, type GradcheckReport, type GradcheckFailure } from './autograd/gradcheck.js';
export { manualSeed, getRngState, setRngState, type RngState } from './random.js';
export {
  setBackend,
  getBackend,
  listBackends,
  registerBackend,
  ready,
  backendInfo,
  type BackendInfo,
  type FallbackInfo,
} from './backend/index.js';
export { setNumThreads, setDeterministic, isDeterministic } from './backend/settings.js';
export type {
  Backend,
  Kernels,
  KernelName,
  UnaryOp,
  BinaryOp,
  ReduceOp,
  MatmulArgs,
  ConvArgs,
  BatchNormArgs,
  LayerNormArgs,
  SgdArgs,
  AdamArgs,
  RmspropArgs,
  PatchGeometry,
  DeviceMemory,
} from './backend/contract.js';
export { UNARY_OPS, BINARY_OPS, REDUCE_OPS } from './backend/contract.js';
/** A model's layers with their formulas, shapes, parameters and FLOPs (Keras' model.summary()). */
export { summary } from './nn/explain.js';
/** Modules and layers (as torch.nn), losses, initialisers, and the model builders mlp, cnn and GPT. */
export * as nn from './nn/index.js';
/** Optimizers (as torch.optim), learning-rate schedulers and gradient clipping. */
export * as optim from './optim/index.js';
/** Datasets and batches in memory (Node's `data` adds the file readers). */
export * as data from './data/core.js';
/** Training anywhere: the fit loop, evaluation, the callbacks that need no files, metrics (Node's `train` adds checkpoints and the terminal's progress). */
export * as train from './train/core.js';
/** Trains a model, as Keras' fit, letting the event loop (a page's frames) turn between steps. */
export { fit } from './train/fit-loop.js';
