// The sliding window of a convolution or pooling op: sizes from the arguments as PyTorch takes
// them (a number or a pair; padding also 'same' or 'valid'), checked, and resolved into the
// top/left padding and the output size that im2col reads (backend/contract.ts, PatchGeometry).

import type { PatchGeometry } from '../backend/contract.js';
import { MAX_ELEMENTS, shapeStr, sizeOf } from '../shape.js';
import { showValue } from '../show.js';

/**
 * A size per spatial axis: one number for both, or [height, width].
 * @inline
 */
export type Pair = number | readonly [number, number];

/**
 * The window of one spatial plane (kernel, stride, padding, dilation and output sizes):
 * PatchGeometry without the input's own sizes. Pooling layers' window() and im2col take it.
 */
export type Window = Omit<PatchGeometry, 'batch' | 'channels' | 'height' | 'width'>;

export interface WindowOptions {
  kernel: Pair;
  stride?: Pair;
  padding?: Pair | 'same' | 'valid';
  dilation?: Pair;
  /** Pooling's ceil mode: a last, partial window when it starts inside the input or its left padding. */
  ceilMode?: boolean;
}

/** A Pair as [height, width] (unchecked: see pair). */
export const asPair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

export function pair(op: string, name: string, v: Pair, min: number): [number, number] {
  const p = asPair(v);
  if (p.length !== 2 || !p.every((d) => Number.isSafeInteger(d) && d >= min)) {
    throw new Error(
      `${op}: ${name} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer or a pair of them, got ${JSON.stringify(v)}`,
    );
  }
  return p;
}

/**
 * PyTorch's 'same' padding of one axis, [before, after]: the total d·(k−1), the odd one extra
 * after (at the bottom/right).
 */
export function samePadding(kernel: number, dilation: number): [number, number] {
  const total = dilation * (kernel - 1);
  return [total >> 1, total - (total >> 1)];
}

/** PyTorch's pooling rule: padding at most half the kernel (else a window could hold padding only). */
export function poolPaddingFits(padding: readonly [number, number], kernel: readonly [number, number]): boolean {
  return 2 * padding[0] <= kernel[0] && 2 * padding[1] <= kernel[1];
}

/** Throws, naming `op`, when a pooling window's padding breaks PyTorch's rule (poolPaddingFits). */
export function checkPoolPadding(
  op: string,
  padding: readonly [number, number],
  kernel: readonly [number, number],
): void {
  if (!poolPaddingFits(padding, kernel)) {
    throw new Error(`${op}: padding ${padding.join('×')} must be at most half the kernel ${kernel.join('×')}`);
  }
}

/** A 1-D window's stride, padding and dilation (conv1d, Conv1d), checked with the op's name. */
export function checkWindow1d(
  op: string,
  o: { stride: number; padding: number | 'same' | 'valid'; dilation: number },
): void {
  for (const [name, v] of [
    ['stride', o.stride],
    ['dilation', o.dilation],
  ] as const) {
    if (!Number.isSafeInteger(v) || v <= 0)
      throw new Error(`${op}: ${name} must be a positive integer, got ${showValue(v)}`);
  }
  const p = o.padding;
  if (p !== 'same' && p !== 'valid' && !(Number.isSafeInteger(p) && p >= 0))
    throw new Error(`${op}: padding must be a non-negative integer, 'same' or 'valid', got ${showValue(p)}`);
  if (p === 'same' && o.stride !== 1) throw new Error(`${op}: padding 'same' needs stride 1, got stride ${o.stride}`);
}

/** The window over the last two axes of `shape` (…, height, width). */
export function resolveWindow(op: string, shape: readonly number[], o: WindowOptions): Window {
  const [height, width] = shape.slice(-2);
  const [kernelH, kernelW] = pair(op, 'kernel size', o.kernel, 1);
  const [strideH, strideW] = pair(op, 'stride', o.stride ?? o.kernel, 1);
  const [dilationH, dilationW] = pair(op, 'dilation', o.dilation ?? 1, 1);
  const spanH = dilationH * (kernelH - 1) + 1;
  const spanW = dilationW * (kernelW - 1) + 1;
  let pads: [number, number, number, number]; // top, bottom, left, right
  if (o.padding === 'same') {
    if (strideH !== 1 || strideW !== 1)
      throw new Error(`${op}: padding 'same' needs stride 1, got stride ${JSON.stringify(o.stride)}`);
    pads = [...samePadding(kernelH, dilationH), ...samePadding(kernelW, dilationW)];
  } else {
    const [ph, pw] = o.padding === 'valid' ? [0, 0] : pair(op, 'padding', o.padding ?? 0, 0);
    pads = [ph, ph, pw, pw];
  }
  const [padTop, padBottom, padLeft, padRight] = pads;
  const paddedH = height + padTop + padBottom;
  const paddedW = width + padLeft + padRight;
  if (spanH > paddedH || spanW > paddedW) {
    throw new Error(
      `${op}: kernel ${kernelH}×${kernelW}${spanH !== kernelH || spanW !== kernelW ? ` (${spanH}×${spanW} dilated)` : ''} is larger than ` +
        `the padded input ${paddedH}×${paddedW} (input ${shapeStr(shape)}, padding ${JSON.stringify(o.padding ?? 0)})`,
    );
  }
  const outSize = (padded: number, span: number, stride: number, pad: number, size: number) => {
    if (!o.ceilMode) return Math.floor((padded - span) / stride) + 1;
    let out = Math.ceil((padded - span) / stride) + 1;
    if ((out - 1) * stride >= size + pad) out--; // the last window must start inside the input or its left padding
    return out;
  };
  const outH = outSize(paddedH, spanH, strideH, padTop, height);
  const outW = outSize(paddedW, spanW, strideW, padLeft, width);
  return { kernelH, kernelW, strideH, strideW, padTop, padLeft, dilationH, dilationW, outH, outW };
}

/**
 * The patch matrix a convolution of x (`shape`) makes, every window's values for every leading
 * index, is its largest array: one past the tensor limit (padding 100000) is refused by the op's
 * name, not as an allocation's RangeError.
 */
export function checkPatches(op: string, shape: readonly number[], w: Window): void {
  const patches = sizeOf(shape.slice(0, -2)) * w.kernelH * w.kernelW * w.outH * w.outW;
  if (patches > MAX_ELEMENTS) {
    throw new Error(
      `${op}: input ${shapeStr(shape)} with a ${w.kernelH}×${w.kernelW} kernel and padding ${w.padTop}×${w.padLeft} gives a ${w.outH}×${w.outW} output whose patches are ${patches} values, more than the limit of 2^32`,
    );
  }
}

/** The full geometry of a window over x [batch, channels, height, width]. */
export function geometry(shape: readonly number[], w: Window): PatchGeometry {
  const [batch, channels, height, width] = shape;
  return { batch, channels, height, width, ...w };
}
