// Gradient clipping by the global norm, as torch.nn.utils.clip_grad_norm_: the norm of all
// gradients taken together; if it exceeds maxNorm, every gradient is scaled by
// maxNorm / (norm + 1e-6). Returns the norm before clipping.

import { tensor, type Tensor } from '../tensor.js';
import { kernels } from '../backend/index.js';
import { noGrad } from '../autograd/mode.js';
import { cat } from '../ops/defs/cat.js';
import { checkHyper } from './hyper.js';

function checkClipArgs(maxNorm: number, normType: number): void {
  checkHyper('clipGradNorm', 'maxNorm', maxNorm);
  if (!(normType > 0)) throw new Error(`clipGradNorm: normType must be a positive number or Infinity, got ${normType}`);
}

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
  checkClipArgs(maxNorm, normType);
  const grads = [...params].flatMap((p) => (p.grad ? [p.grad] : []));
  const be = kernels();
  let total = 0;
  for (const g of grads) total = be.normAccumulate(g.cell, normType, total);
  if (normType !== Infinity) total = total ** (1 / normType);
  const coef = maxNorm / (total + 1e-6);
  // In place, as PyTorch: backward gives every leaf a .grad of its own (autograd/engine.ts).
  if (coef < 1) {
    for (const g of grads) be.scale(g.cell, coef); // bumps each gradient's version
  }
  return total;
}

/**
 * clipGradNorm with no round trip, for fit on a device backend: the same clipping, but the norm
 * is computed by ops (in float32 there, a scalar tensor on the device) and each gradient is
 * replaced by its copy scaled by min(1, maxNorm / (norm + 1e-6)). Returns the norm. @internal
 */
export function clipGradNormQueued(params: Iterable<Tensor>, maxNorm: number, normType = 2): Tensor | null {
  checkClipArgs(maxNorm, normType);
  const withGrad = [...params].filter((p) => p.grad);
  if (withGrad.length === 0) return null;
  return noGrad(() => {
    const grads = withGrad.map((p) => p.grad!);
    const total =
      normType === Infinity
        ? cat(grads.map((g) => g.abs().max().reshape([1]))).max()
        : grads
            .map((g) => g.abs().pow(normType).sum())
            .reduce((a, b) => a.add(b))
            .pow(1 / normType);
    const coef = tensor(maxNorm, { dtype: total.dtype }).div(total.add(1e-6)).clamp(-Infinity, 1);
    for (const p of withGrad) p.grad = p.grad!.mul(coef);
    return total;
  });
}
