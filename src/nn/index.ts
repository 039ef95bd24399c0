// The nn namespace: modules, layers, losses and initialisers.

export { Module, Parameter } from './module.js';
export { Linear, type LinearOptions, type LinearInit } from './linear.js';
export { ReLU, Sigmoid, Tanh, GELU, LeakyReLU, Softmax, LogSoftmax, Flatten, Dropout, Sequential } from './layers.js';
export {
  MSELoss, CrossEntropyLoss, BCEWithLogitsLoss, BCELoss,
  mseLoss, crossEntropy, bceWithLogits, bce, type Reduction, type LossOptions,
} from './losses.js';
export * as init from './init.js';
export { mlp, activations, type MlpOptions, type ActivationName } from './mlp.js';
