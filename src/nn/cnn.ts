// The small image CNN the command line builds (`nabla train --model cnn`): two VGG-style blocks of
// two 3×3 convolutions (padding 1, each → BatchNorm2d → ReLU) → 2×2 max pooling, 16 then 32
// channels, then dropout, Flatten and an MLP head. An Unflatten in front takes the flat pixel rows
// [N, C·H·W] that datasets yield, so the model reads the same inputs as an MLP and its file records
// the image shape. The defaults are the recipe measured in README (bench/cnn-recipe.ts: PyTorch's twin).
// cnnLayers gives its layers as specs without building anything; cnn builds them.

import type { LayerSpec } from './layers/table.js';
import { sequentialOf } from './mlp.js';
import type { Sequential } from './sequential.js';

/** Options of cnn: the image shape, the outputs and the sizes of the blocks and the head. */
export interface CnnOptions {
  /** One image's shape [channels, height, width]. */
  imageShape: readonly [number, number, number];
  /** Features of each output row (classes). */
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

/** The layers of cnn(options), as specs (PyTorch's defaults where the CNN sets nothing). */
export function cnnLayers(options: CnnOptions): LayerSpec[] {
  const { imageShape, outputs, channels = [16, 32], convsPerBlock = 2, hidden = [128], dropout = 0.25 } = options;
  if (!Number.isInteger(convsPerBlock) || convsPerBlock < 1)
    throw new Error(`cnn: convsPerBlock must be a positive integer, got ${convsPerBlock}`);
  let [c, h, w] = imageShape;
  if (![c, h, w].every((d) => Number.isInteger(d) && d > 0))
    throw new Error(`cnn: imageShape must be three positive integers [C, H, W], got [${imageShape.join(', ')}]`);
  const layers: LayerSpec[] = [{ type: 'Unflatten', dim: 1, sizes: [c, h, w] }];
  for (const out of channels) {
    if (h < 2 || w < 2)
      throw new Error(
        `cnn: images of ${imageShape[1]}×${imageShape[2]} are too small for ${channels.length} blocks of 2×2 pooling`,
      );
    for (let k = 0; k < convsPerBlock; k++) {
      layers.push(
        {
          type: 'Conv2d',
          inChannels: k === 0 ? c : out,
          outChannels: out,
          kernelSize: [3, 3],
          stride: [1, 1],
          padding: [1, 1],
          dilation: [1, 1],
          groups: 1,
          bias: true,
        },
        { type: 'BatchNorm2d', numFeatures: out, eps: 1e-5, momentum: 0.1, affine: true, trackRunningStats: true },
        { type: 'ReLU' },
      );
    }
    layers.push({
      type: 'MaxPool2d',
      kernelSize: [2, 2],
      stride: [2, 2],
      padding: [0, 0],
      dilation: [1, 1],
      ceilMode: false,
    });
    [c, h, w] = [out, Math.floor(h / 2), Math.floor(w / 2)];
  }
  if (dropout > 0) layers.push({ type: 'Dropout', p: dropout });
  layers.push({ type: 'Flatten', startDim: 1, endDim: -1 });
  let width = c * h * w;
  for (const size of hidden) {
    layers.push({ type: 'Linear', inFeatures: width, outFeatures: size, bias: true }, { type: 'ReLU' });
    width = size;
  }
  layers.push({ type: 'Linear', inFeatures: width, outFeatures: outputs, bias: true });
  return layers;
}

/**
 * A small image CNN (what `nabla train --model cnn` builds): an Unflatten taking the flat pixel
 * rows [N, C·H·W] datasets yield, then per entry of `channels` a block of convsPerBlock 3×3
 * convolutions (padding 1, each followed by BatchNorm2d and ReLU) and 2×2 max pooling, then dropout,
 * Flatten and a ReLU MLP head → [N, outputs] logits. A float32 Sequential of model-file layers.
 *
 * @example
 * ```ts
 * const model = nn.cnn({ imageShape: [1, 28, 28], outputs: 10 });
 * const logits = model.forward(pixels);   // [N, 784] → [N, 10]
 * ```
 */
export function cnn(options: CnnOptions): Sequential {
  return sequentialOf(cnnLayers(options), 'heUniform', 'glorotUniform');
}
