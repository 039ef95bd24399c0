// The small image CNN the command line builds (`nabla train --model cnn`): two VGG-style blocks of
// two 3×3 convolutions (padding 1, each → BatchNorm2d → ReLU) → 2×2 max pooling, 16 then 32
// channels, then dropout, Flatten and an MLP head. An Unflatten in front takes the flat pixel rows
// [N, C·H·W] that datasets yield, so the model reads the same inputs as an MLP and its file records
// the image shape. The defaults are the recipe measured in README (bench/cnn-recipe.ts: PyTorch's twin).

import { BatchNorm2d, Conv2d, Dropout, Flatten, Linear, MaxPool2d, ReLU, Unflatten } from './layers/index.js';
import { Sequential } from './sequential.js';
import type { Module } from './module.js';

export interface CnnOptions {
  /** One image's shape [channels, height, width]. */
  imageShape: readonly [number, number, number];
  outputs: number;
  /** Output channels of the convolution blocks (default [16, 32]). */
  channels?: number[];
  /** 3×3 convolutions (each with its BatchNorm2d and ReLU) per block, before its pooling (default 2). */
  convsPerBlock?: number;
  /** Hidden Linear sizes of the head (default [128]). */
  hidden?: number[];
  /** Dropout after the convolution blocks (default 0.25). */
  dropout?: number;
}

export function cnn(options: CnnOptions): Sequential {
  const { imageShape, outputs, channels = [16, 32], convsPerBlock = 2, hidden = [128], dropout = 0.25 } = options;
  if (!Number.isInteger(convsPerBlock) || convsPerBlock < 1) throw new Error(`cnn: convsPerBlock must be a positive integer, got ${convsPerBlock}`);
  let [c, h, w] = imageShape;
  if (![c, h, w].every((d) => Number.isInteger(d) && d > 0)) throw new Error(`cnn: imageShape must be three positive integers [C, H, W], got [${imageShape.join(', ')}]`);
  const layers: Module[] = [new Unflatten(1, [c, h, w])];
  for (const out of channels) {
    if (h < 2 || w < 2) throw new Error(`cnn: images of ${imageShape[1]}×${imageShape[2]} are too small for ${channels.length} blocks of 2×2 pooling`);
    for (let k = 0; k < convsPerBlock; k++) layers.push(new Conv2d(k === 0 ? c : out, out, 3, { padding: 1 }), new BatchNorm2d(out), new ReLU());
    layers.push(new MaxPool2d(2));
    [c, h, w] = [out, Math.floor(h / 2), Math.floor(w / 2)];
  }
  if (dropout > 0) layers.push(new Dropout(dropout));
  layers.push(new Flatten());
  let width = c * h * w;
  for (const size of hidden) {
    layers.push(new Linear(width, size, { init: 'heUniform' }), new ReLU());
    width = size;
  }
  layers.push(new Linear(width, outputs, { init: 'glorotUniform' }));
  return new Sequential(...layers);
}
