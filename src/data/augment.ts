// Augmentation for image batches: each image moved by a random whole-pixel shift (the PRNG's
// draws), the uncovered border filled with zeros (torchvision's RandomCrop with zero padding),
// and random horizontal flips. Small shifts are what a digit classifier trained on few images most lacks.

import { Tensor } from '../tensor.js';
import { allocData } from '../cells.js';
import { randomInt } from '../random.js';

/**
 * x: flat rows [N, C·height·width] (C = 1 for grey images) or images [N, C, height, width];
 * each image shifted by dx, dy uniform in [−maxShift, maxShift], the same for all its channels.
 * The result has x's shape and dtype.
 */
export function randomShift(x: Tensor, height: number, width: number, maxShift: number): Tensor {
  const n = x.shape[0];
  const f = x.shape.slice(1).reduce((p, d) => p * d, 1);
  const plane = height * width;
  const images = x.rank === 4 && x.shape[2] === height && x.shape[3] === width;
  if (x.rank < 2 || (x.rank > 2 && !images) || f % plane !== 0 || f === 0) {
    throw new Error(
      `randomShift: expected rows of C·${height}·${width} values or images [N, C, ${height}, ${width}], got shape [${x.shape.join(', ')}]`,
    );
  }
  const channels = f / plane;
  const out = allocData(x.dtype, x.size);
  for (let i = 0; i < n; i++) {
    const dx = randomInt(2 * maxShift + 1) - maxShift;
    const dy = randomInt(2 * maxShift + 1) - maxShift;
    for (let ch = 0; ch < channels; ch++) {
      const base = i * f + ch * plane;
      for (let r = Math.max(0, dy); r < Math.min(height, height + dy); r++) {
        const src = base + (r - dy) * width;
        const dst = base + r * width;
        for (let c = Math.max(0, dx); c < Math.min(width, width + dx); c++) out[dst + c] = x.data[src + c - dx];
      }
    }
  }
  return new Tensor(out, x.shape, x.dtype);
}

/**
 * Each image mirrored left to right with probability 1/2 (torchvision's RandomHorizontalFlip), the
 * same for all its channels: for photographs, never for digits or text. Shapes as randomShift's.
 */
export function randomHorizontalFlip(x: Tensor, height: number, width: number): Tensor {
  const plane = height * width;
  const f = x.shape.slice(1).reduce((p, d) => p * d, 1);
  if (x.rank < 2 || f % plane !== 0 || f === 0)
    throw new Error(
      `randomHorizontalFlip: expected rows of C·${height}·${width} values or images [N, C, ${height}, ${width}], got shape [${x.shape.join(', ')}]`,
    );
  const out = allocData(x.dtype, x.size);
  out.set(x.data);
  for (let i = 0; i < x.shape[0]; i++) {
    if (randomInt(2) === 0) continue;
    for (let row = i * f; row < (i + 1) * f; row += width)
      for (let c = 0; c < width; c++) out[row + c] = x.data[row + width - 1 - c];
  }
  return new Tensor(out, x.shape, x.dtype);
}
