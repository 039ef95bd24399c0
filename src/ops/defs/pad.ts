// pad: a constant border around x, or with negative amounts a crop (as torch.nn.functional.pad).
// `pad` lists (before, after) pairs from the last axis backwards: [left, right, top, bottom, ...].
// y = x placed at offset `before` in a tensor of `value`s → dx = dy cropped back = pad(dy, −pad).

import { allocData } from '../../storage.js';
import type { Tensor } from '../../tensor.js';
import { backend } from '../../backend/index.js';
import { shapeStr } from '../../shape.js';
import { checkTensor } from '../node.js';
import { defineOp, type Fn } from '../op.js';

/** The per-axis (before, after) amounts of an F.pad list, for a tensor of `rank` axes. */
function amounts(pad: readonly number[], shape: readonly number[]): { before: number[]; shape: number[] } {
  const rank = shape.length;
  if (!Array.isArray(pad) || pad.length % 2 !== 0 || pad.length > 2 * rank || !pad.every(Number.isSafeInteger)) {
    throw new Error(`pad: padding ${JSON.stringify(pad)} must be an even number (at most ${2 * rank}) of integers, (before, after) from the last axis backwards`);
  }
  const before = new Array<number>(rank).fill(0);
  const out = [...shape];
  for (let i = 0; i < pad.length / 2; i++) {
    const axis = rank - 1 - i;
    before[axis] = pad[2 * i];
    out[axis] += pad[2 * i] + pad[2 * i + 1];
  }
  if (out.some((d) => d < 0)) throw new Error(`pad: padding ${JSON.stringify(pad)} crops ${shapeStr(shape)} to a negative size ${shapeStr(out)}`);
  return { before, shape: out };
}

/** x with `value` added around it (or cropped, for negative amounts); pad is [left, right, top, bottom, ...] as in F.pad. */
export const pad: Fn<(x: Tensor, pad: readonly number[], value?: number) => Tensor> = defineOp({
  name: 'pad',
  method: false,
  forward(x: Tensor, padding: readonly number[], value = 0) {
    checkTensor('pad', x);
    if (!Number.isFinite(value)) throw new Error(`pad: value must be a finite number, got ${value}`);
    const { before, shape } = amounts(padding, x.shape);
    const data = allocData(x.dtype, shape.reduce((p, d) => p * d, 1));
    if (value !== 0) data.fill(value);
    backend().place(x.data, x.shape, data, shape, before);
    return { data, shape, inputs: [x], saved: padding };
  },
  backward: (gy, padding) => [pad(gy, padding.map((p) => -p))],
  call: (x, a) => pad(x[0], a.pad, a.value),
  torch: "F.pad(x[0], a['pad'], value=a.get('value', 0))",
  samples: [
    { inputs: [{ shape: [2, 3, 4, 4] }], args: { pad: [1, 2, 0, 1] } },
    { inputs: [{ shape: [3, 5] }], args: { pad: [2, -1, -1, 1], value: 0.5 } },
    { inputs: [{ shape: [4] }], args: { pad: [0, 3] } },
    { inputs: [{ shape: [2, 2, 3] }], args: { pad: [1, 1, 1, 1, 1, 1] } },
  ],
  errors: [
    { inputs: [{ shape: [2, 3] }], args: { pad: [1] }, message: 'pad: padding [1] must be an even number (at most 4) of integers' },
    { inputs: [{ shape: [2, 3] }], args: { pad: [-2, -2] }, message: 'pad: padding [-2,-2] crops [2,3] to a negative size [2,-1]' },
  ],
  secondOrder: true,
});
