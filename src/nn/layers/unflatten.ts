// Unflatten: splits axis `dim` into `sizes` (torch.nn.Unflatten), the inverse of Flatten; a
// reshape, so its gradient is the reshape back. At the front of a CNN it turns the flat pixel
// rows every nabla dataset yields ([N, C·H·W]) into images [N, C, H, W], so the model file itself
// records the image shape and eval, predict and export feed it the same rows as an MLP.
// ONNX: Reshape to the unflattened shape, the batch axis kept dynamic (onnxReshape).

import type { Tensor } from '../../tensor.js';
import { shapeStr } from '../../shape.js';
import { Module } from '../module.js';
import { batchShape, field, onnxReshape, parameterless, type Field } from './entry.js';

/** At most this many axes, each in 1..2^24: a model file cannot ask for absurd shapes. */
const MAX_AXES = 8;
const MAX_SIZE = 2 ** 24;

const sizes: Field<number[]> = {
  check: (v: unknown): v is number[] =>
    Array.isArray(v) &&
    v.length >= 1 &&
    v.length <= MAX_AXES &&
    v.every((d) => Number.isSafeInteger(d) && d >= 1 && d <= MAX_SIZE),
  expected: `a list of 1..${MAX_AXES} integers in 1..${MAX_SIZE}`,
};

const fields = { dim: field.int, sizes };

const product = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);

/**
 * Splits axis `dim` into `sizes` (torch.nn.Unflatten), the inverse of Flatten: Unflatten(1,
 * [1, 28, 28]) turns [N, 784] into [N, 1, 28, 28]. A reshape: no copy. At the front of a CNN it
 * lets the model take the flat pixel rows every nabla dataset yields.
 */
export class Unflatten extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = parameterless({
    type: 'Unflatten',
    fields,
    build: (s) => new Unflatten(s.dim, s.sizes),
    onnx: (g, m, { input, outputShape }) => onnxReshape(g, input, outputShape, m.dim === 0),
    explain: (s, ctx) => {
      if (!ctx.shape || s.dim !== 1 || ctx.shape.length !== 1 || ctx.shape[0] !== product(s.sizes))
        return { lines: [] };
      return {
        lines: [`  reshape   ${batchShape(ctx)} → [${[ctx.batch, ...s.sizes].join('×')}]`],
        shape: [...s.sizes],
      };
    },
    summary: (s) => `Unflatten(${s.dim}, [${s.sizes.join(', ')}])`,
  });

  /** The sizes the axis is split into; their product is the axis' size. */
  readonly sizes: readonly number[];

  /**
   * Splits axis `dim` into `sizes`.
   * @param dim - The axis to split (negative counts from the end).
   * @param sizes - The new sizes, positive integers.
   */
  constructor(
    readonly dim: number,
    sizes: readonly number[],
  ) {
    super();
    if (!Number.isSafeInteger(dim)) throw new Error(`Unflatten: dim must be an integer, got ${dim}`);
    if (!sizes.length || !sizes.every((d) => Number.isSafeInteger(d) && d >= 1)) {
      throw new Error(`Unflatten: sizes must be positive integers, got [${sizes.join(', ')}]`);
    }
    this.sizes = [...sizes];
  }

  /** x with axis `dim` split into `sizes`; throws unless that axis has their product's size. */
  forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? x.rank + this.dim : this.dim;
    if (d < 0 || d >= x.rank || x.shape[d] !== product(this.sizes)) {
      throw new Error(
        `${this.label()}: cannot unflatten input of shape ${shapeStr(x.shape)} (axis ${this.dim} must have ${product(this.sizes)} values)`,
      );
    }
    return x.reshape([...x.shape.slice(0, d), ...this.sizes, ...x.shape.slice(d + 1)]);
  }

  override label(): string {
    return `Unflatten(${this.dim}, [${this.sizes.join(', ')}])`;
  }
}
