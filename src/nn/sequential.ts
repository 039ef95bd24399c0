// Sequential: layers applied in order, fusing neighbours whose table entries declare a fusion
// (Linear then ReLU: one fused product, same values and gradients as the two layers).

import type { Tensor } from '../tensor.js';
import { Module } from './module.js';
import { entryOf, layerOutput } from './layers/entry.js';

/**
 * Layers applied in order (torch.nn.Sequential); parameters are named by position, "0.weight",
 * "0.bias", ..., as PyTorch names them. Neighbours whose table entries declare a fusion run as one
 * (Linear then ReLU: one fused product, same values and gradients). An error in a layer names its
 * position.
 *
 * @example
 * ```ts
 * const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
 * const logits = model.forward(x);   // [N, 784] → [N, 10]
 * ```
 */
export class Sequential extends Module {
  /** The layers, in order. */
  readonly layers: readonly Module<unknown>[];
  /** The forward, worked out once from the layers: each step a layer, or a layer and the one it fuses with. */
  readonly #steps: { readonly at: number; readonly run: (x: Tensor) => Tensor }[] = [];

  /**
   * The layers in the order they apply; each must be a Module. A recurrent layer passes on its
   * output sequence (its entry's inSequence), as a Keras LSTM with return_sequences.
   */
  constructor(...layers: Module<unknown>[]);
  /**
   * The layers as one array: `new Sequential(...layers)` of 10⁵ layers overflows the call stack
   * (a spread call passes each as an argument), an array does not.
   */
  constructor(layers: readonly Module<unknown>[]);
  constructor(...args: (Module<unknown> | readonly Module<unknown>[])[]) {
    super();
    const layers = (args.length === 1 && Array.isArray(args[0]) ? [...args[0]] : args) as Module<unknown>[];
    layers.forEach((l, i) => {
      if (!(l instanceof Module)) throw new Error(`Sequential: argument ${i} is not a Module`);
    });
    this.layers = layers;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      const next = layers[i + 1];
      const fusions = entryOf(layer)?.fusions;
      const nextType = next && entryOf(next)?.type;
      if (fusions && nextType !== undefined && Object.hasOwn(fusions, nextType)) {
        const fused = fusions[nextType];
        this.#steps.push({ at: i, run: (x) => fused(layer, x, next) });
        i++;
      } else {
        this.#steps.push({ at: i, run: (x) => layerOutput(layer, x) });
      }
    }
  }

  /** The layers, named by position: "0", "1", ... */
  override namedChildren(): [string, Module<unknown>][] {
    return this.layers.map((l, i) => [String(i), l]);
  }

  /** Runs x through the layers in order; an error names the layer's position. */
  forward(x: Tensor): Tensor {
    let y = x;
    for (const { at, run } of this.#steps) {
      try {
        y = run(y);
      } catch (e) {
        throw new Error(`Sequential layer ${at}: ${(e as Error).message}`, { cause: e });
      }
    }
    return y;
  }
}
