// pad: a constant border around x, or with negative amounts a crop (as torch.nn.functional.pad).
// `pad` lists (before, after) pairs from the last axis backwards: [left, right, top, bottom, ...].
// y = x placed at offset `before` in a tensor of `value`s → dx = dy cropped back = pad(dy, −pad).
// narrow, a crop along one axis, is made of it.

import { allocCell } from '../../cells.js';
import type { Tensor } from '../../tensor.js';
import { kernels } from '../../backend/index.js';
import { normAxis, shapeStr } from '../../shape.js';
import { checkTensor } from '../node.js';
import { defineOp, type Fn, type Method } from '../op.js';

/** The per-axis (before, after) amounts of an F.pad list, for a tensor of `rank` axes. */
function amounts(pad: readonly number[], shape: readonly number[]): { before: number[]; shape: number[] } {
  const rank = shape.length;
  if (!Array.isArray(pad) || pad.length % 2 !== 0 || pad.length > 2 * rank || !pad.every(Number.isSafeInteger)) {
    throw new Error(
      `pad: padding ${JSON.stringify(pad)} must be an even number (at most ${2 * rank}) of integers, (before, after) from the last axis backwards`,
    );
  }
  const before = new Array<number>(rank).fill(0);
  const out = [...shape];
  for (let i = 0; i < pad.length / 2; i++) {
    const axis = rank - 1 - i;
    before[axis] = pad[2 * i];
    out[axis] += pad[2 * i] + pad[2 * i + 1];
  }
  if (out.some((d) => d < 0))
    throw new Error(`pad: padding ${JSON.stringify(pad)} crops ${shapeStr(shape)} to a negative size ${shapeStr(out)}`);
  return { before, shape: out };
}

/**
 * x with a border of `value` (default 0) around it, or cropped where an amount is negative, as
 * torch.nn.functional.pad (constant mode): `pad` lists (before, after) pairs from the last axis
 * backwards, [left, right, top, bottom, ...]. The gradient is dy cropped back.
 *
 * @example
 * ```ts
 * const padded = pad(images, [1, 1, 1, 1]);   // [N, C, H, W] → [N, C, H + 2, W + 2]
 * const cropped = pad(x, [0, -1]);            // the last column dropped
 * ```
 * @function
 */
export const pad: Fn<(x: Tensor, pad: readonly number[], value?: number) => Tensor> = defineOp({
  name: 'pad',
  method: false,
  forward(x: Tensor, padding: readonly number[], value = 0) {
    checkTensor('pad', x);
    if (!Number.isFinite(value)) throw new Error(`pad: value must be a finite number, got ${value}`);
    const { before, shape } = amounts(padding, x.shape);
    const n = shape.reduce((p, d) => p * d, 1);
    const data = allocCell(x.dtype, n);
    if (value !== 0) kernels().fill(data, value);
    kernels().place(x.cell, x.shape, data, shape, before);
    return { data, shape, inputs: [x], saved: padding };
  },
  backward: (gy, padding) => [
    pad(
      gy,
      padding.map((p) => -p),
    ),
  ],
  call: (x, a) => pad(x[0], a.pad, a.value),
  torch: "F.pad(x[0], a['pad'], value=a.get('value', 0))",
  samples: [
    { inputs: [{ shape: [2, 3, 4, 4] }], args: { pad: [1, 2, 0, 1] } },
    { inputs: [{ shape: [3, 5] }], args: { pad: [2, -1, -1, 1], value: 0.5 } },
    { inputs: [{ shape: [4] }], args: { pad: [0, 3] } },
    { inputs: [{ shape: [2, 2, 3] }], args: { pad: [1, 1, 1, 1, 1, 1] } },
  ],
  errors: [
    {
      inputs: [{ shape: [2, 3] }],
      args: { pad: [1] },
      message: 'pad: padding [1] must be an even number (at most 4) of integers',
    },
    {
      inputs: [{ shape: [2, 3] }],
      args: { pad: [-2, -2] },
      message: 'pad: padding [-2,-2] crops [2,3] to a negative size [2,-1]',
    },
  ],
  secondOrder: true,
});

/**
 * The `length` entries of x from `start` (negative: from the end) along `axis`, as torch.narrow: a
 * crop, whose gradient pads back with zeros. Also `x.narrow(axis, start, length)`.
 *
 * @example
 * ```ts
 * const lastStep = seq.narrow(1, -1, 1);   // [N, T, D] → [N, 1, D]
 * ```
 * @function
 */
export const narrow: Method<(x: Tensor, axis: number, start: number, length: number) => Tensor> = defineOp({
  name: 'narrow',
  method: true,
  composite(x: Tensor, axis: number, start: number, length: number) {
    checkTensor('narrow', x);
    const ax = normAxis('narrow', axis, x.rank);
    const size = x.shape[ax];
    const from = Number.isSafeInteger(start) && start < 0 ? start + size : start;
    if (
      !Number.isSafeInteger(from) ||
      !Number.isSafeInteger(length) ||
      from < 0 ||
      length < 0 ||
      from + length > size
    ) {
      throw new Error(
        `narrow: start ${start} and length ${length} do not fit axis ${ax} of size ${size} (input ${shapeStr(x.shape)})`,
      );
    }
    if (from === 0 && length === size) return x;
    const amounts = new Array<number>(2 * (x.rank - ax)).fill(0);
    amounts[2 * (x.rank - 1 - ax)] = -from;
    amounts[2 * (x.rank - 1 - ax) + 1] = -(size - from - length);
    return pad(x, amounts);
  },
  call: (x, a) => narrow(x[0], a.axis, a.start, a.length),
  torch: "x[0].narrow(a['axis'], a['start'], a['length'])",
  samples: [
    { inputs: [{ shape: [4, 5] }], args: { axis: 1, start: 1, length: 3 } },
    { inputs: [{ shape: [3, 4, 2] }], args: { axis: 0, start: -2, length: 2 } },
    { inputs: [{ shape: [2, 6] }], args: { axis: -1, start: 5, length: 1 } },
  ],
  errors: [
    {
      inputs: [{ shape: [4, 5] }],
      args: { axis: 1, start: 3, length: 3 },
      message: 'narrow: start 3 and length 3 do not fit axis 1 of size 5 (input [4,5])',
    },
  ],
});
