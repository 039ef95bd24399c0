// What every peer trains and times, described once: layer sizes, batch, epochs, learning rate,
// and the initial weights (nabla's He-uniform draws under manualSeed(0), handed to every peer
// so that they all start from the same point).

import { manualSeed, nn } from '../src/index.js';

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
export const mlpLarge: TrainSpec = { name: '784-512-512-10', sizes: [784, 512, 512, 10], batch: 128, epochs: 5, lr: 0.1 };
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
