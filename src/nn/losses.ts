// Losses as functions and as modules, with PyTorch's reduction: 'mean' (default) | 'sum' | 'none'.
// crossEntropy is an op-table entry (ops/defs/loss.ts); the others are composed here.

import type { Tensor } from '../tensor.js';
import { shapeStr, sameShape } from '../shape.js';
import { binaryCrossEntropy, crossEntropy, type CrossEntropyOptions, type Labels, type Reduction } from '../ops/index.js';
import { Module } from './module.js';

export { crossEntropy, type Reduction, type CrossEntropyOptions };

export interface LossOptions {
  reduction?: Reduction;
}

function reduce(op: string, perElement: Tensor, reduction: Reduction = 'mean'): Tensor {
  switch (reduction) {
    case 'mean': return perElement.mean();
    case 'sum': return perElement.sum();
    case 'none': return perElement;
    default: throw new Error(`${op}: unknown reduction '${reduction as string}' (use 'mean', 'sum' or 'none')`);
  }
}

function checkPair(op: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`${op}: input shape ${shapeStr(input.shape)} and target shape ${shapeStr(target.shape)} differ`);
  }
  if (input.dtype !== target.dtype) throw new Error(`${op}: input is ${input.dtype} but target is ${target.dtype}`);
}

/**
 * Mean squared error (seed 003): L = (1/n) Σ (ŷ − y)², n = every element,
 * so dL/dŷ = (2/n)(ŷ − y).
 */
export function mseLoss(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('mseLoss', input, target);
  const d = input.sub(target);
  return reduce('mseLoss', d.mul(d), options.reduction);
}

/**
 * Binary cross-entropy on logits, stable for any x: ℓ = softplus(x) − x·y
 * (= −y log σ(x) − (1−y) log(1−σ(x))), so dℓ/dx = σ(x) − y.
 */
export function bceWithLogits(logits: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('bceWithLogits', logits, target);
  return reduce('bceWithLogits', logits.softplus().sub(logits.mul(target)), options.reduction);
}

/** Binary cross-entropy on probabilities (see ops/defs/loss.ts: logs clamped at −100 as PyTorch). */
export function bce(input: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  checkPair('bce', input, target);
  for (let i = 0; i < input.size; i++) {
    const p = input.data[i];
    if (!(p >= 0 && p <= 1)) throw new Error(`bce: input must be probabilities in [0, 1]; element ${i} is ${p} (use bceWithLogits on logits)`);
  }
  return reduce('bce', binaryCrossEntropy(input, target), options.reduction);
}

abstract class Loss extends Module {
  readonly reduction: Reduction;
  constructor(options: LossOptions = {}) {
    super();
    this.reduction = options.reduction ?? 'mean';
  }
}

export class MSELoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor { return mseLoss(input, target, this); }
}

export class CrossEntropyLoss extends Loss {
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;
  constructor(options: CrossEntropyOptions = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }
  forward(logits: Tensor, labels: Labels): Tensor { return crossEntropy(logits, labels, this); }
}

export class BCEWithLogitsLoss extends Loss {
  forward(logits: Tensor, target: Tensor): Tensor { return bceWithLogits(logits, target, this); }
}

export class BCELoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor { return bce(input, target, this); }
}
