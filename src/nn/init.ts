// Weight initialisers, all drawing from the seeded PRNG (random.ts), in place.

import type { Tensor } from '../tensor.js';
import { random, randomNormal } from '../random.js';

/** Fills t in place with U(low, high) draws from the seeded PRNG (torch.nn.init.uniform_); returns t. */
export function uniform_(t: Tensor, low: number, high: number): Tensor {
  for (let i = 0; i < t.size; i++) t.data[i] = low + (high - low) * random();
  return t.markChanged();
}

/** Fills t in place with N(mean, std²) draws from the seeded PRNG (torch.nn.init.normal_; default N(0, 1)); returns t. */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  for (let i = 0; i < t.size; i++) t.data[i] = mean + std * randomNormal();
  return t.markChanged();
}

/** Fills t with zeros in place (torch.nn.init.zeros_); returns t. */
export function zeros_(t: Tensor): Tensor {
  t.data.fill(0);
  return t.markChanged();
}

/** Fan-in and fan-out of a weight stored [in, out] (the seeds' and Keras' layout). */
function fans(t: Tensor): [number, number] {
  if (t.rank !== 2) throw new Error(`init: expected a 2-D weight [in, out], got shape [${t.shape.join(',')}]`);
  return [t.shape[0], t.shape[1]];
}

/**
 * He (Kaiming) uniform for ReLU nets, in place: U(−b, b), b = √(6 / fanIn), so Var = 2 / fanIn
 * (torch.nn.init.kaiming_uniform_ with a = 0). t is a weight stored [in, out], fanIn = in; returns t.
 */
export function heUniform_(t: Tensor): Tensor {
  const b = Math.sqrt(6 / fans(t)[0]);
  return uniform_(t, -b, b);
}

/** He normal, in place: N(0, 2 / fanIn) (torch.nn.init.kaiming_normal_); t is [in, out], fanIn = in; returns t. */
export function heNormal_(t: Tensor): Tensor {
  return normal_(t, 0, Math.sqrt(2 / fans(t)[0]));
}

/**
 * Glorot (Xavier) uniform for tanh/sigmoid nets, in place: U(−b, b), b = √(6 / (fanIn + fanOut)) (torch.nn.init.xavier_uniform_); t is [in, out]; returns t.
 */
export function glorotUniform_(t: Tensor): Tensor {
  const [i, o] = fans(t);
  const b = Math.sqrt(6 / (i + o));
  return uniform_(t, -b, b);
}

/** Glorot normal, in place: N(0, 2 / (fanIn + fanOut)) (torch.nn.init.xavier_normal_); t is [in, out]; returns t. */
export function glorotNormal_(t: Tensor): Tensor {
  const [i, o] = fans(t);
  return normal_(t, 0, Math.sqrt(2 / (i + o)));
}
