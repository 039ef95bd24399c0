/**
 * nabla: neural networks for TypeScript, built around backpropagation. This is the Node entry:
 * everything of the browser-safe core (module `nabla (browser)`: tensors, ops, autograd, `nn`,
 * `optim`, backends), plus model files and ONNX export (`io`, also at the top level), datasets
 * (`data`) and training (`train`, and {@link fit}).
 *
 * @example
 * ```ts
 * import { data, fit, nn, optim, save } from 'nabla';
 * const model = nn.mlp({ inputs: 784, hidden: [128], outputs: 10 });
 * await fit(model, { data: data.bundledMnistSplit().train, loss: nn.crossEntropy, optimizer: new optim.Adam(model.parameters()), epochs: 5 });
 * save(model, 'mnist.safetensors');
 * ```
 *
 * @module nabla
 */

export * from './core.js';
/** Model files: safetensors, whole models, checkpoints, ONNX export, inspection (each also exported at the top level). */
export * as io from './io/index.js';
export * from './io/index.js';
/** Datasets and loaders: tensors, CSV, IDX and the bundled MNIST digits, text and tokenizers, augmentation. */
export * as data from './data/index.js';
/** Training: the fit loop, its callbacks, metrics, evaluation, prediction and plots. */
export * as train from './train/index.js';
export { fit } from './train/fit.js';
export { trainStep } from './train/host-step.js';
