// Augmentation for image batches: each image moved by a random whole-pixel shift (the PRNG's
// draws), the uncovered border filled with zeros. Small shifts are what a digit classifier
// trained on few images most lacks.

import { Tensor } from '../tensor.js';
import { randomInt } from '../random.js';

/** x: [N, height·width]; each row shifted by dx, dy uniform in [−maxShift, maxShift]. */
export function randomShift(x: Tensor, height: number, width: number, maxShift: number): Tensor {
  const [n, f] = x.shape;
  if (f !== height * width) throw new Error(`randomShift: rows have ${f} values, expected ${height}×${width}`);
  const out = new Float32Array(x.size);
  for (let i = 0; i < n; i++) {
    const dx = randomInt(2 * maxShift + 1) - maxShift;
    const dy = randomInt(2 * maxShift + 1) - maxShift;
    const base = i * f;
    for (let r = Math.max(0, dy); r < Math.min(height, height + dy); r++) {
      const src = base + (r - dy) * width;
      const dst = base + r * width;
      for (let c = Math.max(0, dx); c < Math.min(width, width + dx); c++) out[dst + c] = x.data[src + c - dx];
    }
  }
  return new Tensor(out, x.shape);
}
