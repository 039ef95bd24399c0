// nabla: neural networks for TypeScript, built around backpropagation.
// Node entry: the browser-safe core plus model files, data loading and training.

export * from './core.js';
export * as io from './io/index.js';
export * from './io/index.js';
export * as data from './data/index.js';
export * as train from './train/index.js';
export { fit } from './train/fit.js';
