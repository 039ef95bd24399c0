// What every peer trains and times, described once: layer sizes, batch, epochs, learning rate,
// and the initial weights (nabla's He-uniform draws under manualSeed(0), handed to every peer
// so that they all start from the same point).

import { manualSeed, nn } from '../src/index.js';
import { lcg } from './util.js';

export interface Layer {
  w: Float32Array; // [in, out]
  b: Float32Array; // [out]
  inF: number;
  outF: number;
}

export interface TrainSpec {
  name: string;
  sizes: number[];
  batch: number;
  epochs: number;
  lr: number;
}

export const mlpSmall: TrainSpec = { name: '784-128-10', sizes: [784, 128, 10], batch: 64, epochs: 5, lr: 0.1 };
export const mlpLarge: TrainSpec = {
  name: '784-512-512-10',
  sizes: [784, 512, 512, 10],
  batch: 128,
  epochs: 5,
  lr: 0.1,
};
export const tiny = { sizes: [2, 16, 16, 1], batch: 32, steps: 2000, lr: 0.1 };

export function initialWeights(sizes: number[], seed = 0): Layer[] {
  manualSeed(seed);
  const layers: Layer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const l = new nn.Linear(sizes[i], sizes[i + 1]);
    // Biases start at a small non-zero value so that a peer that ignored them would show.
    const b = new Float32Array(sizes[i + 1]).fill(0.01);
    layers.push({ w: Float32Array.from(l.weight.data), b, inF: sizes[i], outF: sizes[i + 1] });
  }
  return layers;
}

/** One conv2d of the conv table: x [n, c, h, w] → [n, out, oh, ow], a k×k kernel, PyTorch's padding. */
export interface ConvCase {
  n: number;
  c: number;
  h: number;
  w: number;
  out: number;
  k: number;
  stride: number;
  pad: number;
  groups: number;
}

// Shapes a small MNIST CNN sees: its first layer, its second layer (and that layer with stride 2
// and a 5×5 kernel), and a depthwise 3×3 (groups = channels).
export const convCases: ConvCase[] = [
  { n: 64, c: 1, h: 28, w: 28, out: 32, k: 3, stride: 1, pad: 1, groups: 1 },
  { n: 64, c: 32, h: 14, w: 14, out: 64, k: 3, stride: 1, pad: 1, groups: 1 },
  { n: 64, c: 32, h: 14, w: 14, out: 64, k: 3, stride: 2, pad: 1, groups: 1 },
  { n: 64, c: 32, h: 14, w: 14, out: 64, k: 5, stride: 1, pad: 2, groups: 1 },
  { n: 64, c: 32, h: 14, w: 14, out: 64, k: 5, stride: 2, pad: 2, groups: 1 },
  { n: 64, c: 64, h: 14, w: 14, out: 64, k: 3, stride: 1, pad: 1, groups: 64 },
];

export const convOut = (c: ConvCase) => ({
  oh: Math.floor((c.h + 2 * c.pad - c.k) / c.stride) + 1,
  ow: Math.floor((c.w + 2 * c.pad - c.k) / c.stride) + 1,
});
/** FLOPs of one of the three products (forward, input gradient, weight gradient). */
export function convFlops(c: ConvCase): number {
  const { oh, ow } = convOut(c);
  return 2 * c.n * c.out * oh * ow * (c.c / c.groups) * c.k * c.k;
}
/** The same-size plain GEMM of one group: [n·oh·ow, (c/groups)·k·k]·[(c/groups)·k·k, out/groups]. */
export function convGemm(c: ConvCase): [number, number, number] {
  const { oh, ow } = convOut(c);
  return [c.n * oh * ow, (c.c / c.groups) * c.k * c.k, c.out / c.groups];
}
export function convLabel(c: ConvCase): string {
  const kind = c.groups === c.c && c.groups > 1 ? ' depthwise' : '';
  return `[${c.n},${c.c},${c.h},${c.w}]→${c.out}${kind} ${c.k}×${c.k} s${c.stride} p${c.pad}`;
}

/**
 * CNN training: conv(1→32, 3×3, pad 1) → BatchNorm2d → ReLU → MaxPool 2 → conv(32→64, 3×3, pad 1)
 * → BN → ReLU → MaxPool 2 → Dropout(0.25) → Flatten → Linear(3136→128) → ReLU → Linear(128→10),
 * Adam, on the 8,000 training digits as [N,1,28,28] in their fixed order. `warmup` steps, then
 * `steps` timed steps in chunks of `chunk` (samples/s is the median over chunks).
 */
export const cnn = { batch: 64, lr: 1e-3, warmup: 3, steps: 30, chunk: 10 };

/** GPT training (bench/gpt.ts, and the webgpu peers' GPT row): the model and batch of `nabla train --model gpt`'s bench. */
export const gptConfig = { layers: 4, heads: 4, dim: 128, context: 64, batch: 32, vocab: 65 };

/** LSTM training (bench/lstm.ts): the character LSTM of `nabla train --model lstm` (Embedding → LSTM → Linear), issue 31's configuration. */
export const lstmConfig = { layers: 2, hidden: 256, context: 64, batch: 32, vocab: 65 };

/** Batches of random tokens and their next tokens (the speed does not depend on the text). */
export function gptBatches(
  count: number,
  cfg: { batch: number; context: number; vocab: number } = gptConfig,
): { x: number[][]; y: number[][] }[] {
  const rnd = lcg(7);
  return Array.from({ length: count }, () => {
    const rows = Array.from({ length: cfg.batch }, () =>
      Array.from({ length: cfg.context + 1 }, () => Math.floor(rnd() * cfg.vocab)),
    );
    return { x: rows.map((r) => r.slice(0, -1)), y: rows.map((r) => r.slice(1)) };
  });
}
