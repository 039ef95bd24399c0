// Gradient clipping by the global norm, as torch.nn.utils.clip_grad_norm_: the norm of all
// gradients taken together; if it exceeds maxNorm, every gradient is scaled by
// maxNorm / (norm + 1e-6). Returns the norm before clipping.

import type { Tensor } from '../tensor.js';
import { kernels } from '../backend/index.js';
import { checkHyper } from './hyper.js';

/**
 * Clips the gradients by their global norm, as torch.nn.utils.clip_grad_norm_: the normType-norm
 * (default 2; Infinity for the max norm) of all the parameters' gradients taken together; if it
 * exceeds maxNorm, every gradient is scaled in place by maxNorm / (norm + 1e-6). Parameters without
 * a gradient are skipped. Returns the norm before clipping.
 *
 * @example
 * ```ts
 * loss.backward();
 * const norm = optim.clipGradNorm(model.parameters(), 1.0);   // then opt.step()
 * ```
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  checkHyper('clipGradNorm', 'maxNorm', maxNorm);
  if (!(normType > 0)) throw new Error(`clipGradNorm: normType must be a positive number or Infinity, got ${normType}`);
  const grads = [...params].flatMap((p) => (p.grad ? [p.grad] : []));
  const be = kernels();
  let total = 0;
  for (const g of grads) total = be.normAccumulate(g.storage, normType, total);
  if (normType !== Infinity) total = total ** (1 / normType);
  const coef = maxNorm / (total + 1e-6);
  // In place, as PyTorch: backward gives every leaf a .grad of its own (autograd/engine.ts).
  if (coef < 1) {
    for (const g of grads) be.scale(g.storage, coef); // bumps each gradient's version
  }
  return total;
}
