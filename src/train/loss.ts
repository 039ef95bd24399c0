// fit and evaluate take a loss as PyTorch users write it (a module: new nn.CrossEntropyLoss())
// or as a function (nn.crossEntropy, or your own): both become one function here.

import type { Tensor } from '../tensor.js';
import type { LossFn } from './types.js';

/** A loss module: anything with forward(output, target) → a scalar, as nn.CrossEntropyLoss or nn.MSELoss. */
export interface LossModule {
  /** The loss of a batch: (model output, targets) → a scalar tensor. */
  forward(output: Tensor, target: Tensor): Tensor;
}

/** A loss as fit and evaluate take it: a function (nn.crossEntropy) or a loss module (new nn.CrossEntropyLoss()). */
export type Loss = LossFn | LossModule;

/** The loss as a function; `where` names the caller in the error for anything else. */
export function lossFunction(loss: Loss, where: string): LossFn {
  if (typeof loss === 'function') return loss;
  if (typeof loss === 'object' && loss !== null && typeof loss.forward === 'function')
    return (output, target) => loss.forward(output, target);
  throw new Error(
    `${where}: loss must be a function (output, target) → scalar, such as nn.crossEntropy, or a loss module, such as new nn.CrossEntropyLoss(); got ${loss === null ? 'null' : typeof loss}`,
  );
}
