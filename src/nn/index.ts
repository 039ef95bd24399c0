// The nn namespace: modules, layers (the layer table's, see layers/), losses and initialisers.

export { Module, Parameter, Buffer, type LoadStateDictOptions } from './module.js';
export * from './layers/index.js';
export { Sequential } from './sequential.js';
export {
  MSELoss,
  CrossEntropyLoss,
  BCEWithLogitsLoss,
  BCELoss,
  mseLoss,
  crossEntropy,
  bceWithLogits,
  bce,
  type Reduction,
  type LossOptions,
  type CrossEntropyOptions,
} from './losses.js';
/** Weight initialisers (as torch.nn.init), in place, from the seeded PRNG. */
export * as init from './init.js';
export { mlp, activations, type MlpOptions, type ActivationName } from './mlp.js';
export { cnn, type CnnOptions } from './cnn.js';
export {
  MultiheadAttention,
  TransformerBlock,
  type MultiheadAttentionOptions,
  type MultiheadForwardOptions,
  type BlockOptions,
  type KeyValueCache,
} from './transformer.js';
export { generate, type GenerateOptions } from './generate.js';
export { RNNCell, LSTMCell, GRUCell, type CellOptions, type RnnCellOptions } from './recurrent-cells.js';
