// Weight initialisers, all drawing from the seeded PRNG (random.ts), in place.

import type { Tensor } from '../tensor.js';
import { random, randomNormal } from '../random.js';

export function uniform_(t: Tensor, low: number, high: number): Tensor {
  for (let i = 0; i < t.size; i++) t.data[i] = low + (high - low) * random();
  return t.markChanged();
}

export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  for (let i = 0; i < t.size; i++) t.data[i] = mean + std * randomNormal();
  return t.markChanged();
}

export function zeros_(t: Tensor): Tensor {
  t.data.fill(0);
  return t.markChanged();
}

/** Fan-in and fan-out of a weight stored [in, out] (the seeds' and Keras' layout). */
function fans(t: Tensor): [number, number] {
  if (t.rank !== 2) throw new Error(`init: expected a 2-D weight [in, out], got shape [${t.shape.join(',')}]`);
  return [t.shape[0], t.shape[1]];
}

/** He (Kaiming) uniform for ReLU nets: U(−b, b), b = √(6 / fanIn), so Var = 2 / fanIn. */
export function heUniform_(t: Tensor): Tensor {
  const b = Math.sqrt(6 / fans(t)[0]);
  return uniform_(t, -b, b);
}

/** He normal: N(0, 2 / fanIn). */
export function heNormal_(t: Tensor): Tensor {
  return normal_(t, 0, Math.sqrt(2 / fans(t)[0]));
}

/** Glorot (Xavier) uniform for tanh/sigmoid nets: U(−b, b), b = √(6 / (fanIn + fanOut)). */
export function glorotUniform_(t: Tensor): Tensor {
  const [i, o] = fans(t);
  const b = Math.sqrt(6 / (i + o));
  return uniform_(t, -b, b);
}

/** Glorot normal: N(0, 2 / (fanIn + fanOut)). */
export function glorotNormal_(t: Tensor): Tensor {
  const [i, o] = fans(t);
  return normal_(t, 0, Math.sqrt(2 / (i + o)));
}
