// The registration list of the layer table: one line per layer file, exporting its classes.
// Each exported class carries its entry (`static readonly layer`, see entry.ts) under its own
// name; table.ts builds the table from this module and its mapped type checks every export.
// These are also the layers of the nn namespace. Export nothing else from here.

export { Linear } from './linear.js';
export { ReLU, Sigmoid, Tanh, GELU, LeakyReLU } from './activations.js';
export { Softmax, LogSoftmax } from './softmax.js';
export { Flatten } from './flatten.js';
export { Dropout } from './dropout.js';
export { SiLU } from './silu.js';
