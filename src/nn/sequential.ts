// Sequential: layers applied in order, fusing neighbours whose table entries declare a fusion
// (Linear then ReLU: one fused product, same values and gradients as the two layers).

import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { entryOf } from './layers/entry.js';

/** Layers applied in order; `layers` is readable, and parameters are named "0.weight", "0.bias", ... */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((l, i) => {
      if (!(l instanceof Module)) throw new Error(`Sequential: argument ${i} is not a Module`);
    });
    this.layers = layers;
  }

  override namedChildren(): [string, Module][] {
    return this.layers.map((l, i) => [String(i), l]);
  }

  forward(x: Tensor): Tensor {
    let y = x;
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      try {
        const next = layers[i + 1];
        const fusions = entryOf(layer)?.fusions;
        const nextType = next && entryOf(next)?.type;
        if (fusions && nextType !== undefined && Object.hasOwn(fusions, nextType)) {
          y = fusions[nextType](layer, y, next);
          i++;
        } else {
          y = layer.forward(y);
        }
      } catch (e) {
        throw new Error(`Sequential layer ${i}: ${(e as Error).message}`, { cause: e });
      }
    }
    return y;
  }
}
