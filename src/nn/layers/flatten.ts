// Flatten: merges axes startDim..endDim into one (by default everything but the batch axis); a
// reshape, so its gradient is the reshape back. ONNX: Reshape to the flattened shape, the batch
// axis kept dynamic (onnxReshape).

import type { Tensor } from '../../tensor.js';
import { shapeStr } from '../../shape.js';
import { Module } from '../module.js';
import { batchShape, field, onnxReshape, parameterless } from './entry.js';

const fields = { startDim: field.int, endDim: field.int };

/**
 * Flattens axes startDim..endDim into one, by default everything but the batch axis
 * (torch.nn.Flatten): [N, C, H, W] → [N, C·H·W]. A reshape: no copy.
 *
 * @example
 * ```ts
 * const model = new nn.Sequential(new nn.Conv2d(1, 8, 3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(8 * 26 * 26, 10));
 * ```
 */
export class Flatten extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = parameterless({
    type: 'Flatten',
    fields,
    build: (s) => new Flatten(s.startDim, s.endDim),
    onnx: (g, m, { input, outputShape }) => onnxReshape(g, input, outputShape, m.startDim === 0),
    explain: (s, ctx) => {
      if (!ctx.shape || s.startDim !== 1 || (s.endDim !== -1 && s.endDim !== ctx.shape.length)) return { lines: [] };
      const width = ctx.shape.reduce((p, d) => p * d, 1);
      return { lines: [`  reshape   ${batchShape(ctx)} → [${ctx.batch}×${width}]`], width, shape: [width] };
    },
  });

  /**
   * Flattens axes startDim..endDim.
   * @param startDim - The first axis merged (default 1, after the batch axis; not negative).
   * @param endDim - The last axis merged (default −1, the last).
   */
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  /** x with axes startDim..endDim merged into one. */
  forward(x: Tensor): Tensor {
    const end = this.endDim < 0 ? x.rank + this.endDim : this.endDim;
    if (this.startDim < 0 || this.startDim > end || end >= x.rank) {
      throw new Error(`Flatten(${this.startDim}, ${this.endDim}): cannot flatten input of shape ${shapeStr(x.shape)}`);
    }
    return x.flatten(this.startDim, end);
  }
}
