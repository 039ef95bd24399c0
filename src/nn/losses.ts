// Losses as functions and as modules, with PyTorch's reduction: 'mean' (default) | 'sum' | 'none'.
// crossEntropy is an op-table entry (ops/defs/loss.ts); the others are composed here.

import type { Tensor } from '../tensor.js';
import { shapeStr, sameShape } from '../shape.js';
import {
  binaryCrossEntropy,
  crossEntropy,
  type CrossEntropyOptions,
  type Labels,
  type Reduction,
} from '../ops/index.js';
import { Module } from './module.js';

export { crossEntropy, type Reduction, type CrossEntropyOptions };

/** Options of the losses: how the per-element values reduce. */
export interface LossOptions {
  /** 'mean' (the default), 'sum', or 'none' (the per-element losses, the input's shape). */
  reduction?: Reduction;
}

function reduce(op: string, perElement: Tensor, reduction: Reduction = 'mean'): Tensor {
  switch (reduction) {
    case 'mean':
      return perElement.mean();
    case 'sum':
      return perElement.sum();
    case 'none':
      return perElement;
    default:
      throw new Error(`${op}: unknown reduction '${reduction as string}' (use 'mean', 'sum' or 'none')`);
  }
}

function checkPair(op: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`${op}: input shape ${shapeStr(input.shape)} and target shape ${shapeStr(target.shape)} differ`);
  }
  if (input.dtype !== target.dtype) throw new Error(`${op}: input is ${input.dtype} but target is ${target.dtype}`);
}

/**
 * Mean squared error (torch.nn.functional.mse_loss): L = (1/n) Σ (ŷ − y)² over every
 * element, so dL/dŷ = (2/n)(ŷ − y). input and target have one shape and dtype.
 *
 * @example
 * ```ts
 * const loss = nn.mseLoss(model.forward(x), y);   // [N, 1] and [N, 1] → a scalar
 * ```
 */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('mseLoss', input, target);
  const d = input.sub(target);
  return reduce('mseLoss', d.mul(d), options.reduction);
}

/**
 * Binary cross-entropy on logits (torch.nn.functional.binary_cross_entropy_with_logits), stable
 * for any x: ℓ = softplus(x) − x·y (= −y log σ(x) − (1−y) log(1−σ(x))), so dℓ/dx = σ(x) − y.
 * logits and target (in [0, 1]) have one shape.
 *
 * @example
 * ```ts
 * const loss = nn.bceWithLogits(model.forward(x), y);   // y of 0s and 1s, the logits' shape
 * ```
 */
export function bceWithLogits(logits: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('bceWithLogits', logits, target);
  return reduce('bceWithLogits', logits.softplus().sub(logits.mul(target)), options.reduction);
}

/**
 * Binary cross-entropy on probabilities in [0, 1] (torch.nn.functional.binary_cross_entropy): logs
 * clamped at −100 and PyTorch's gradient, as binaryCrossEntropy; throws for an input outside
 * [0, 1]. On logits, bceWithLogits is the stable choice.
 */
export function bce(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('bce', input, target);
  for (let i = 0; i < input.size; i++) {
    const p = input.data[i];
    if (!(p >= 0 && p <= 1))
      throw new Error(`bce: input must be probabilities in [0, 1]; element ${i} is ${p} (use bceWithLogits on logits)`);
  }
  return reduce('bce', binaryCrossEntropy(input, target), options.reduction);
}

abstract class Loss extends Module {
  /** How the per-element losses reduce: 'mean', 'sum' or 'none'. */
  readonly reduction: Reduction;
  /** A loss with this reduction (default 'mean'). */
  constructor(options: LossOptions = {}) {
    super();
    this.reduction = options.reduction ?? 'mean';
  }
}

/** Mean squared error as a module (torch.nn.MSELoss): forward(input, target) is mseLoss. */
export class MSELoss extends Loss {
  /** mseLoss(input, target) with this reduction. */
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this);
  }
}

/**
 * Cross-entropy of logits [..., C] against integer labels as a module (torch.nn.CrossEntropyLoss,
 * classes on the last axis): forward(logits, labels) is crossEntropy.
 *
 * @example
 * ```ts
 * const lossFn = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
 * const loss = lossFn.forward(model.forward(x), labels);   // [N, C] and [N] → a scalar
 * ```
 */
export class CrossEntropyLoss extends Loss {
  /** Rows with this label are left out (default −100). */
  readonly ignoreIndex: number;
  /** ε: the target is (1−ε)·onehot + ε/C (default 0). */
  readonly labelSmoothing: number;
  /** A cross-entropy loss with these options (PyTorch's defaults). */
  constructor(options: CrossEntropyOptions = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }
  /** crossEntropy(logits, labels) with this module's options. */
  forward(logits: Tensor, labels: Labels): Tensor {
    return crossEntropy(logits, labels, this);
  }
}

/** Binary cross-entropy on logits as a module (torch.nn.BCEWithLogitsLoss): forward(logits, target) is bceWithLogits. */
export class BCEWithLogitsLoss extends Loss {
  /** bceWithLogits(logits, target) with this reduction. */
  forward(logits: Tensor, target: Tensor): Tensor {
    return bceWithLogits(logits, target, this);
  }
}

/** Binary cross-entropy on probabilities as a module (torch.nn.BCELoss): forward(input, target) is bce. */
export class BCELoss extends Loss {
  /** bce(input, target) with this reduction. */
  forward(input: Tensor, target: Tensor): Tensor {
    return bce(input, target, this);
  }
}
