// Pooling layers over [N, C, H, W]: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d (the ops in
// ops/defs/pool.ts, whose comment has the gradients). No parameters.
// ONNX: MaxPool, AveragePool (count_include_pad, ceil_mode), GlobalAveragePool for an output of
// 1×1; other adaptive sizes have no ONNX op and are refused at export.

import type { Tensor } from '../../tensor.js';
import { shapeStr } from '../../shape.js';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from '../../ops/index.js';
import { asPair, checkPoolPadding, poolPaddingFits, resolveWindow, type Pair, type Window } from '../../ops/window.js';
import { Module } from '../module.js';
import {
  batchShape,
  field,
  parameterless,
  type ExplainContext,
  type Explanation,
  type OnnxAttribute,
  type SpecOf,
} from './entry.js';
import { showValue } from '../../show.js';

/** The op's result, its errors prefixed with the layer ("MaxPool2d(3×3): maxPool2d: kernel 3×3 is larger than ..."). */
function pool(m: Module, x: Tensor, op: () => Tensor): Tensor {
  if (x.rank !== 4) throw new Error(`${m.label()}: expected input [N,C,H,W], got ${shapeStr(x.shape)}`);
  try {
    return op();
  } catch (e) {
    throw new Error(`${m.label()}: ${(e as Error).message}`, { cause: e });
  }
}

/** A model file's pooling spec: padding at most half the kernel, as PyTorch requires. */
function checkPoolSpec(s: { kernelSize: [number, number]; padding: [number, number] }): ['padding', string] | null {
  if (!poolPaddingFits(s.padding, s.kernelSize)) {
    return ['padding', `${showValue(s.padding)} must be at most half the kernel ${showValue(s.kernelSize)}`];
  }
  return null;
}

/** What explain prints for a pooling layer: its window and the shapes in and out. */
function explainPool(
  ctx: ExplainContext,
  what: string,
  backward: string,
  window: (shape: readonly number[]) => Window,
): Explanation {
  if (!ctx.shape || ctx.shape.length !== 3) return { lines: [`  forward   ${what}`, `  backward  ${backward}`] };
  const w = window(ctx.shape);
  const shape = [ctx.shape[0], w.outH, w.outW];
  return {
    lines: [
      `  forward   ${what}   : ${batchShape(ctx)} → [${[ctx.batch, ...shape].join('×')}]`,
      `  backward  ${backward}`,
    ],
    width: shape[0] * shape[1] * shape[2],
    shape,
  };
}

/**
 * ONNX's ceil_mode for a pooling layer on this input ([1, C, H, W]). Opset 13's output size with
 * ceil_mode is ⌈(H + 2p − span)/stride⌉ + 1, but PyTorch (and nabla) drop a last window that would
 * start in the right padding or beyond (e.g. H 5, kernel 2, stride 2, padding 1: PyTorch 3, ONNX 4;
 * H 6, kernel 2, stride 3: PyTorch 2, ONNX 3). onnxruntime computes PyTorch's size but its shape
 * inference (and onnx.checker's) the other one, so such a layer has no faithful form: refused.
 */
function onnxCeilMode(m: MaxPool2d | AvgPool2d, inputShape: readonly number[]): { int: number } {
  if (!m.ceilMode) return { int: 0 };
  const w = m.window(inputShape);
  const [h, wd] = inputShape.slice(-2);
  const axes = [
    ['height', h, w.padTop, w.strideH, w.dilationH * (w.kernelH - 1) + 1, w.outH],
    ['width', wd, w.padLeft, w.strideW, w.dilationW * (w.kernelW - 1) + 1, w.outW],
  ] as const;
  for (const [axis, size, pad, stride, span, out] of axes) {
    const onnx = Math.ceil((size + 2 * pad - span) / stride) + 1;
    if (onnx !== out) {
      throw new Error(
        `exportOnnx: ${m.label()} with ceilMode on an input of ${axis} ${size} (padding ${pad}, stride ${stride}) gives ${out} outputs, ` +
          `but ONNX's ${m instanceof MaxPool2d ? 'MaxPool' : 'AveragePool'} with ceil_mode gives ${onnx}: PyTorch drops a last window ` +
          'that starts in the right padding or past the input, ONNX (opset 13) keeps it. No faithful ONNX form; use ceilMode false or another padding or stride',
      );
    }
  }
  return { int: 1 };
}

/**
 * The ONNX attributes of a pooling window, in the order the committed ONNX fixtures were written
 * with; pads are [top, left, bottom, right], PyTorch's symmetric padding (ceil_mode adds the rest).
 */
function onnxWindow(m: MaxPool2d | AvgPool2d, inputShape: readonly number[]): Record<string, OnnxAttribute> {
  return {
    kernel_shape: { ints: m.kernelSize },
    strides: { ints: m.stride },
    pads: { ints: [...m.padding, ...m.padding] },
    ...(m instanceof MaxPool2d ? { dilations: { ints: m.dilation } } : {}),
    ceil_mode: onnxCeilMode(m, inputShape),
  };
}

const maxFields = {
  kernelSize: field.sizePair,
  stride: field.sizePair,
  padding: field.paddingPair,
  dilation: field.sizePair,
  ceilMode: field.boolean,
};
type MaxSpec = SpecOf<typeof maxFields>;
const maxName = (s: MaxSpec) => `MaxPool2d(${s.kernelSize.join('×')})`;
/** The window of a max pooling (a module's or a spec's fields) over planes of this shape (…, H, W). */
const maxWindow = (s: MaxSpec, shape: readonly number[]): Window =>
  resolveWindow(maxName(s), shape, {
    kernel: s.kernelSize,
    stride: s.stride,
    padding: s.padding,
    dilation: s.dilation,
    ceilMode: s.ceilMode,
  });

/** Options of nn.MaxPool2d (PyTorch's arguments in camelCase). */
export interface MaxPool2dLayerOptions {
  /** Default: the kernel size. */
  stride?: Pair;
  /** Implicit −∞ padding on both sides, at most half the kernel (default 0). */
  padding?: Pair;
  /** Spacing of the window's taps (default 1). */
  dilation?: Pair;
  /** Round the output size up, keeping a last partial window (default false). */
  ceilMode?: boolean;
}

/**
 * Max pooling (torch.nn.MaxPool2d): the maximum of each kernelSize window of each channel,
 * x [N, C, H, W] → [N, C, H', W']; the stride defaults to the kernel size.
 *
 * @example
 * ```ts
 * const pool = new nn.MaxPool2d(2);
 * const y = pool.forward(x);   // [N, 32, 28, 28] → [N, 32, 14, 14]
 * ```
 */
export class MaxPool2d extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = parameterless({
    type: 'MaxPool2d',
    fields: maxFields,
    build: (s) => new MaxPool2d(s.kernelSize, s),
    check: checkPoolSpec,
    onnx: (g, m, { input, inputShape }) => g.node('MaxPool', [input], onnxWindow(m, inputShape)),
    explain: (s, ctx) =>
      explainPool(
        ctx,
        `y = max over each ${s.kernelSize.join('×')} window`,
        "dL/dx = dL/dy at each window's maximum, 0 elsewhere",
        (shape) => maxWindow(s, shape),
      ),
    summary: maxName,
  });

  /** The window's [height, width]. */
  readonly kernelSize: [number, number];
  /** The step between windows, [height, width]. */
  readonly stride: [number, number];
  /** The −∞ padding on both sides, [height, width]. */
  readonly padding: [number, number];
  /** The spacing of the window's taps, [height, width]. */
  readonly dilation: [number, number];
  /** Whether the output size rounds up. */
  readonly ceilMode: boolean;

  /**
   * Max pooling over kernelSize windows.
   * @param kernelSize - The window: a number or [height, width].
   */
  constructor(kernelSize: Pair, options: MaxPool2dLayerOptions = {}) {
    super();
    this.kernelSize = asPair(kernelSize);
    this.stride = asPair(options.stride ?? kernelSize);
    this.padding = asPair(options.padding ?? 0);
    this.dilation = asPair(options.dilation ?? 1);
    this.ceilMode = options.ceilMode ?? false;
    checkPoolPadding('MaxPool2d', this.padding, this.kernelSize);
    this.window([this.kernelSize[0] * this.dilation[0], this.kernelSize[1] * this.dilation[1]]); // checks the sizes
  }

  /** The resolved window (sizes, padding, output size) over planes of this shape (…, H, W); what ONNX export and explain read. */
  window(shape: readonly number[]): Window {
    return maxWindow(this, shape);
  }

  /** maxPool2d(x): [N, C, H, W] → [N, C, H', W']. */
  forward(x: Tensor): Tensor {
    return pool(this, x, () =>
      maxPool2d(x, this.kernelSize, {
        stride: this.stride,
        padding: this.padding,
        dilation: this.dilation,
        ceilMode: this.ceilMode,
      }),
    );
  }

  override label(): string {
    return maxName(this);
  }
}

const avgFields = {
  kernelSize: field.sizePair,
  stride: field.sizePair,
  padding: field.paddingPair,
  ceilMode: field.boolean,
  countIncludePad: field.boolean,
};
type AvgSpec = SpecOf<typeof avgFields>;
const avgName = (s: AvgSpec) => `AvgPool2d(${s.kernelSize.join('×')})`;
/** The window of an average pooling (a module's or a spec's fields) over planes of this shape (…, H, W). */
const avgWindow = (s: AvgSpec, shape: readonly number[]): Window =>
  resolveWindow(avgName(s), shape, {
    kernel: s.kernelSize,
    stride: s.stride,
    padding: s.padding,
    ceilMode: s.ceilMode,
  });

/** Options of nn.AvgPool2d (PyTorch's arguments in camelCase). */
export interface AvgPool2dLayerOptions {
  /** Default: the kernel size. */
  stride?: Pair;
  /** Implicit zero padding on both sides, at most half the kernel (default 0). */
  padding?: Pair;
  /** Round the output size up, keeping a last partial window (default false). */
  ceilMode?: boolean;
  /** Count the padding in each window's divisor (default true, as PyTorch). */
  countIncludePad?: boolean;
}

/**
 * Average pooling (torch.nn.AvgPool2d): the mean of each kernelSize window of each channel,
 * x [N, C, H, W] → [N, C, H', W']; the stride defaults to the kernel size.
 */
export class AvgPool2d extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = parameterless({
    type: 'AvgPool2d',
    fields: avgFields,
    build: (s) => new AvgPool2d(s.kernelSize, s),
    check: checkPoolSpec,
    onnx: (g, m, { input, inputShape }) =>
      g.node('AveragePool', [input], {
        ...onnxWindow(m, inputShape),
        count_include_pad: { int: m.countIncludePad ? 1 : 0 },
      }),
    explain: (s, ctx) =>
      explainPool(
        ctx,
        `y = mean over each ${s.kernelSize.join('×')} window`,
        'dL/dx = dL/dy / (window size), spread over each window',
        (shape) => avgWindow(s, shape),
      ),
    summary: avgName,
  });

  /** The window's [height, width]. */
  readonly kernelSize: [number, number];
  /** The step between windows, [height, width]. */
  readonly stride: [number, number];
  /** The zero padding on both sides, [height, width]. */
  readonly padding: [number, number];
  /** Whether the output size rounds up. */
  readonly ceilMode: boolean;
  /** Whether padding counts in each window's divisor. */
  readonly countIncludePad: boolean;

  /**
   * Average pooling over kernelSize windows.
   * @param kernelSize - The window: a number or [height, width].
   */
  constructor(kernelSize: Pair, options: AvgPool2dLayerOptions = {}) {
    super();
    this.kernelSize = asPair(kernelSize);
    this.stride = asPair(options.stride ?? kernelSize);
    this.padding = asPair(options.padding ?? 0);
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    checkPoolPadding('AvgPool2d', this.padding, this.kernelSize);
    this.window(this.kernelSize);
  }

  /** The resolved window (sizes, padding, output size) over planes of this shape (…, H, W); what ONNX export and explain read. */
  window(shape: readonly number[]): Window {
    return avgWindow(this, shape);
  }

  /** avgPool2d(x): [N, C, H, W] → [N, C, H', W']. */
  forward(x: Tensor): Tensor {
    return pool(this, x, () =>
      avgPool2d(x, this.kernelSize, {
        stride: this.stride,
        padding: this.padding,
        ceilMode: this.ceilMode,
        countIncludePad: this.countIncludePad,
      }),
    );
  }

  override label(): string {
    return avgName(this);
  }
}

const adaptiveFields = { outputSize: field.sizePair };

/**
 * Adaptive average pooling (torch.nn.AdaptiveAvgPool2d): the mean over an outputSize grid of windows
 * covering each plane, x [N, C, H, W] → [N, C, outH, outW], whatever H and W; AdaptiveAvgPool2d(1)
 * is global average pooling.
 */
export class AdaptiveAvgPool2d extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer = parameterless({
    type: 'AdaptiveAvgPool2d',
    fields: adaptiveFields,
    build: (s) => new AdaptiveAvgPool2d(s.outputSize),
    onnx: (g, m, { input }) => {
      if (m.outputSize[0] !== 1 || m.outputSize[1] !== 1) {
        throw new Error(
          `exportOnnx: ${m.label()} has no ONNX form (only an output size of 1, GlobalAveragePool, has one)`,
        );
      }
      return g.node('GlobalAveragePool', [input]);
    },
    explain: (s, ctx) => {
      const [oh, ow] = s.outputSize;
      const what = `y = mean over a ${oh}×${ow} grid of windows`;
      if (!ctx.shape || ctx.shape.length !== 3) return { lines: [`  forward   ${what}`] };
      const shape = [ctx.shape[0], oh, ow];
      return {
        lines: [
          `  forward   ${what}   : ${batchShape(ctx)} → [${[ctx.batch, ...shape].join('×')}]`,
          '  backward  dL/dx = dL/dy / (window size), spread over each window',
        ],
        width: shape[0] * oh * ow,
        shape,
      };
    },
    summary: (s) => `AdaptiveAvgPool2d(${s.outputSize.join('×')})`,
  });

  /** The output plane's [height, width]. */
  readonly outputSize: [number, number];

  /**
   * Adaptive average pooling to this output size.
   * @param outputSize - The output plane: a number or [height, width].
   */
  constructor(outputSize: Pair) {
    super();
    const p = asPair(outputSize);
    if (!p.every((d) => Number.isSafeInteger(d) && d > 0))
      throw new Error(`AdaptiveAvgPool2d: output size must be positive integers, got ${JSON.stringify(outputSize)}`);
    this.outputSize = p;
  }

  /** adaptiveAvgPool2d(x, outputSize): [N, C, H, W] → [N, C, outH, outW]. */
  forward(x: Tensor): Tensor {
    return pool(this, x, () => adaptiveAvgPool2d(x, this.outputSize));
  }

  override label(): string {
    return `AdaptiveAvgPool2d(${this.outputSize.join('×')})`;
  }
}
