// Finding where a NaN or Inf came from, so training stops with the place named instead of
// training on garbage: the first layer (in forward order) whose weights or outputs, or whose
// gradients, are not finite.

import type { Tensor } from '../tensor.js';
import { noGrad } from '../autograd/mode.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { layerOutput } from '../nn/layers/entry.js';

/**
 * The error fit stops with when a loss, gradient or update is NaN or infinite; its message names the epoch, the step and the first layer or parameter at fault.
 */
export class NonFiniteError extends Error {
  /**
   * The error for a non-finite value at this epoch and step.
   * @param message - What went non-finite, and where.
   * @param epoch - The epoch, from 1.
   * @param step - The step in the epoch, from 1.
   */
  constructor(
    message: string,
    readonly epoch: number,
    readonly step: number,
  ) {
    super(message);
    this.name = 'NonFiniteError';
  }
}

export function isFiniteData(t: Tensor): boolean {
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return false;
  return true;
}

function firstBad(d: Tensor): string {
  for (let i = 0; i < d.size; i++) if (!Number.isFinite(d.data[i])) return `${d.data[i]} at element ${i}`;
  return '';
}

/** The layers of a model with their names: a Sequential's children, else the model itself. */
function layers(model: Module): [string, Module<unknown>][] {
  return model instanceof Sequential
    ? model.layers.map((l, i) => [`layer ${i} ${l.label()}`, l])
    : [[`${model.label()}`, model]];
}

/** Where the forward pass of `x` first goes non-finite: a layer's weights or its output. */
export function locateNonFiniteForward(model: Module, x: Tensor): string {
  if (!isFiniteData(x)) return `the input batch (${firstBad(x)})`;
  return noGrad(() => {
    let y = x;
    for (const [name, layer] of layers(model)) {
      for (const [pname, p] of layer.namedParameters())
        if (!isFiniteData(p)) return `the ${pname} of ${name} (${firstBad(p)})`;
      y = layerOutput(layer, y);
      if (!isFiniteData(y)) return `the output of ${name} (${firstBad(y)})`;
    }
    return 'the loss itself (every layer output was finite: check the targets and the loss)';
  });
}

/** The first parameter, in forward order, whose gradient is not finite; null if all are. */
export function locateNonFiniteGrad(model: Module): string | null {
  for (const [name, layer] of layers(model)) {
    for (const [pname, p] of layer.namedParameters()) {
      if (p.grad && !isFiniteData(p.grad)) return `the gradient of ${pname} in ${name} (${firstBad(p.grad)})`;
    }
  }
  return null;
}
