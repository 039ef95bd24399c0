// Conv2d and Conv1d: the seeds' Linear layer applied to every k×k patch of the input (see
// ops/defs/conv.ts for the derivation). With the patch matrix X = im2col(x) : [N·H'·W', C·kH·kW]
// and the weight W : [O, C·kH·kW] (PyTorch's [O, C/groups, kH, kW], flattened):
//   y = X·Wᵀ + b          dL/dW = dL/dyᵀ·X      dL/db = Σ dL/dy      dL/dx = col2im(dL/dy·W)
// Weights are PyTorch's layout in both file layouts. Initialisation as PyTorch's: Kaiming uniform
// with a = √5, which is U(−1/√fanIn, 1/√fanIn) for W and b, fanIn = C/groups·kH·kW.
// ONNX: Conv with kernel_shape, strides, pads, dilations and group ('same' as explicit pads).

import { zeros, type DType, type Tensor } from '../../tensor.js';
import { shapeStr } from '../../shape.js';
import { conv1d, conv2d, type Conv2dOptions } from '../../ops/index.js';
import { asPair, checkWindow1d, resolveWindow, samePadding, type Pair } from '../../ops/window.js';
import { uniform_ } from '../init.js';
import { Module, Parameter } from '../module.js';
import {
  batchShape,
  checkParameterCount,
  field,
  type ExplainContext,
  type Explanation,
  type LayerEntry,
  type SpecOf,
} from './entry.js';
import { showValue } from '../../show.js';

/** Options of nn.Conv2d (PyTorch's arguments in camelCase). */
export interface ConvLayerOptions {
  /** Step between windows: a number or [height, width] (default 1). */
  stride?: Pair;
  /** A number or [height, width] on both sides, 'valid' (0) or 'same' (stride 1). */
  padding?: Pair | 'same' | 'valid';
  /** Spacing of the kernel taps (default 1). */
  dilation?: Pair;
  /** Channels and outputs split into this many blocks, each convolved on its own (default 1; depthwise: groups = inChannels). */
  groups?: number;
  /** Learn a bias (default true). */
  bias?: boolean;
  /** The parameters' dtype (default float32). */
  dtype?: DType;
}

/** The channel counts and groups of a convolution layer, checked with the layer's name. */
function checkChannels(name: string, inChannels: number, outChannels: number, groups: number): void {
  for (const [k, v] of [
    ['inChannels', inChannels],
    ['outChannels', outChannels],
    ['groups', groups],
  ] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`${name}: ${k} must be a positive integer, got ${v}`);
  }
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new Error(
      `${name}: inChannels (${inChannels}) and outChannels (${outChannels}) must be divisible by groups (${groups})`,
    );
  }
}

/** A model file's convolution spec: groups must divide both channel counts, 'same' needs stride 1. */
function checkConvSpec(s: {
  inChannels: number;
  outChannels: number;
  groups: number;
  padding: unknown;
  stride: number | readonly number[];
}): ['groups' | 'padding', string] | null {
  if (s.inChannels % s.groups !== 0 || s.outChannels % s.groups !== 0) {
    return ['groups', `${s.groups} must divide inChannels (${s.inChannels}) and outChannels (${s.outChannels})`];
  }
  if (s.padding === 'same' && [s.stride].flat().some((d) => d !== 1))
    return ['padding', `"same" needs stride 1, got stride ${showValue(s.stride)}`];
  return null;
}

const fields = {
  inChannels: field.positiveInt,
  outChannels: field.positiveInt,
  kernelSize: field.sizePair,
  stride: field.sizePair,
  padding: field.convPadding,
  dilation: field.sizePair,
  groups: field.positiveInt,
  bias: field.boolean,
};

/** The explain lines of a Conv2d spec: the seeds' Linear over patches, with real shapes when the input's are known. */
function explainConv(s: SpecOf<typeof fields>, ctx: ExplainContext, kernelLabel: string): Explanation {
  const { inChannels: c, outChannels: o, groups, bias } = s;
  const [kh, kw] = s.kernelSize;
  const depth = (c / groups) * kh * kw;
  const depthLabel = `${groups > 1 ? `${c}/${groups}` : c}·${kernelLabel}`;
  const count = o * depth + (bias ? o : 0);
  const parameters = {
    count,
    detail: `W ${o}×${c / groups}×${kernelLabel.replace('·', '×')}${bias ? ` + b ${o}` : ''}`,
  };
  const shape = ctx.shape;
  if (!shape || shape.length !== 3 || shape[0] !== c) {
    return {
      parameters,
      lines: ['  (give the input shape, e.g. --image-shape 1,28,28, to see the shapes of its products)'],
    };
  }
  const w = resolveWindow(`Conv2d(${c}→${o}, ${kh}×${kw})`, shape, {
    kernel: s.kernelSize,
    stride: s.stride,
    padding: s.padding,
    dilation: s.dilation,
  });
  const positions = ctx.batch * w.outH * w.outW;
  const p = `${ctx.batch}·${w.outH}·${w.outW}`;
  const per = groups > 1 ? ` (each of ${groups} groups: ${o / groups} outputs)` : '';
  const lines = [
    `  patches   X = im2col(x)                 : ${batchShape(ctx)} → [${p} × ${depthLabel}] = [${positions}×${depth}]`,
    `  forward   y = X·Wᵀ + b                  : [${positions}×${depth}]·[${depth}×${o}] + [${o}] → [${positions}×${o}] = [${ctx.batch}×${o}×${w.outH}×${w.outW}]${per}`,
    `  backward  dL/dW = Xᵀ·dL/dy              : [${depth}×${positions}]·[${positions}×${o}] → [${depth}×${o}] (stored ${o}×${c / groups}×${kh}×${kw})`,
    ...(bias ? [`            dL/db = Σ dL/dy over N·H'·W'  : [${positions}×${o}] → [${o}]`] : []),
    ctx.inputGrad
      ? `            dL/dx = col2im(dL/dy·W)       : [${positions}×${o}]·[${o}×${depth}] → [${positions}×${depth}] → ${batchShape(ctx)}`
      : `            dL/dx = col2im(dL/dy·W)       : not needed, x is the input`,
  ];
  const forward = 2 * positions * depth * o + (bias ? positions * o : 0);
  return {
    parameters,
    lines,
    flops: {
      forward,
      backward:
        2 * positions * depth * o + (bias ? positions * o : 0) + (ctx.inputGrad ? 2 * positions * depth * o : 0),
    },
    width: o * w.outH * w.outW,
    shape: [o, w.outH, w.outW],
  };
}

/**
 * 2-D convolution (torch.nn.Conv2d): x [N, inChannels, H, W] → [N, outChannels, H', W'], with
 * H' = ⌊(H + 2·padding − dilation·(kH − 1) − 1) / stride⌋ + 1. The weight is PyTorch's layout,
 * [outChannels, inChannels/groups, kH, kW], and starts as PyTorch's (U(±1/√fanIn), also the bias).
 * The seeds' Linear applied to every window (im2col), so its gradients are matmul's.
 *
 * @example
 * ```ts
 * const conv = new nn.Conv2d(1, 32, 3, { padding: 1 });
 * const y = conv.forward(images);   // [N, 1, 28, 28] → [N, 32, 28, 28]
 * ```
 */
export class Conv2d extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer: LayerEntry<'Conv2d', typeof fields, Conv2d> = {
    type: 'Conv2d',
    fields,
    describe: (m) => ({
      inChannels: m.inChannels,
      outChannels: m.outChannels,
      kernelSize: m.kernelSize,
      stride: m.stride,
      padding: m.padding,
      dilation: m.dilation,
      groups: m.groups,
      bias: m.bias !== null,
    }),
    build: (s, dtype) => new Conv2d(s.inChannels, s.outChannels, s.kernelSize, { ...s, dtype }),
    check: checkConvSpec,
    parameters: (s) => [
      { name: 'weight', shape: [s.outChannels, Math.floor(s.inChannels / s.groups), ...s.kernelSize], torch: 'same' },
      ...(s.bias ? [{ name: 'bias', shape: [s.outChannels], torch: 'same' } as const] : []),
    ],
    onnx: (g, m, { input }) => {
      // ONNX pads: [top, left, bottom, right].
      const [[top, bottom], [left, right]] =
        m.padding === 'same'
          ? [samePadding(m.kernelSize[0], m.dilation[0]), samePadding(m.kernelSize[1], m.dilation[1])]
          : [
              [m.padding[0], m.padding[0]],
              [m.padding[1], m.padding[1]],
            ];
      const pads = [top, left, bottom, right];
      const inputs = [input, g.tensor('weight', m.weight), ...(m.bias ? [g.tensor('bias', m.bias)] : [])];
      return g.node('Conv', inputs, {
        kernel_shape: { ints: m.kernelSize },
        strides: { ints: m.stride },
        pads: { ints: pads },
        dilations: { ints: m.dilation },
        group: { int: m.groups },
      });
    },
    explain: (s, ctx) => explainConv(s, ctx, `${s.kernelSize[0]}·${s.kernelSize[1]}`),
    summary: (s) =>
      `Conv2d(${s.inChannels}→${s.outChannels}, ${s.kernelSize.join('×')}${s.stride.some((d) => d !== 1) ? `, stride ${s.stride.join('×')}` : ''})`,
    fusions: { ReLU: (m, x) => m.forwardAct(x, true) },
  };

  /** The window's [height, width]. */
  readonly kernelSize: [number, number];
  /** The step between windows, [height, width]. */
  readonly stride: [number, number];
  /** Zero padding on both sides, [height, width], or 'same'. */
  readonly padding: [number, number] | 'same';
  /** The spacing of kernel taps, [height, width]. */
  readonly dilation: [number, number];
  /** The number of channel groups. */
  readonly groups: number;
  /** The kernels, [outChannels, inChannels/groups, kH, kW]. */
  readonly weight: Parameter;
  /** One bias per output channel, [outChannels], or null. */
  readonly bias: Parameter | null;

  /**
   * A 2-D convolution of inChannels → outChannels with kernelSize windows.
   * @param inChannels - Channels of the input (C of [N, C, H, W]).
   * @param outChannels - Channels of the output: the number of kernels.
   * @param kernelSize - The window: a number or [height, width].
   */
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    options: ConvLayerOptions = {},
  ) {
    super();
    const name = 'Conv2d';
    this.groups = options.groups ?? 1;
    checkChannels(name, inChannels, outChannels, this.groups);
    this.kernelSize = asPair(kernelSize);
    this.stride = asPair(options.stride ?? 1);
    this.dilation = asPair(options.dilation ?? 1);
    const padding = options.padding ?? 0;
    this.padding = padding === 'same' ? 'same' : padding === 'valid' ? [0, 0] : asPair(padding);
    // The window's own checks (positive sizes, 'same' with stride 1), on a plane it always fits.
    resolveWindow(name, [this.kernelSize[0] * this.dilation[0] * 2, this.kernelSize[1] * this.dilation[1] * 2], {
      kernel: this.kernelSize,
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
    });
    const dtype = options.dtype ?? 'float32';
    const fanIn = (inChannels / this.groups) * this.kernelSize[0] * this.kernelSize[1];
    checkParameterCount(
      `${name}(${inChannels}→${outChannels})`,
      outChannels * fanIn + (options.bias === false ? 0 : outChannels),
    );
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = new Parameter(
      uniform_(zeros([outChannels, inChannels / this.groups, ...this.kernelSize], { dtype }), -bound, bound),
    );
    this.bias = options.bias === false ? null : new Parameter(uniform_(zeros([outChannels], { dtype }), -bound, bound));
  }

  /** The convolution of x [N, inChannels, H, W] → [N, outChannels, H', W']. */
  forward(x: Tensor): Tensor {
    return this.forwardAct(x, false);
  }

  /** forward(x), then ReLU when `relu`, fused into the product's epilogue (what Sequential runs for Conv2d then ReLU). */
  forwardAct(x: Tensor, relu: boolean): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.inChannels) {
      throw new Error(
        `${this.label()}: expected input [N,${this.inChannels},H,W], got ${shapeStr(x.shape)}${x.rank === 4 ? ` (${x.shape[1]} channels)` : ''}`,
      );
    }
    if (x.dtype !== this.weight.dtype)
      throw new Error(`${this.label()}: input is ${x.dtype} but the layer's weights are ${this.weight.dtype}`);
    const options: Conv2dOptions = {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
      relu,
    };
    try {
      return conv2d(x, this.weight, this.bias, options);
    } catch (e) {
      throw new Error(`${this.label()}: ${(e as Error).message}`, { cause: e });
    }
  }

  override label(): string {
    return `Conv2d(${this.inChannels}→${this.outChannels}, ${this.kernelSize.join('×')})`;
  }
}

const fields1d = {
  inChannels: field.positiveInt,
  outChannels: field.positiveInt,
  kernelSize: field.positiveInt,
  stride: field.positiveInt,
  padding: {
    check: (v: unknown): v is number | 'same' => v === 'same' || (field.int.check(v) && v >= 0),
    expected: 'a non-negative integer or "same"',
  },
  dilation: field.positiveInt,
  groups: field.positiveInt,
  bias: field.boolean,
};

/** Options of nn.Conv1d (PyTorch's arguments in camelCase). */
export interface Conv1dLayerOptions {
  /** Step between windows (default 1). */
  stride?: number;
  /** Zeros on both ends, 'valid' (0) or 'same' (stride 1) (default 0). */
  padding?: number | 'same' | 'valid';
  /** Spacing of the kernel taps (default 1). */
  dilation?: number;
  /** Channels and outputs split into this many blocks (default 1). */
  groups?: number;
  /** Learn a bias (default true). */
  bias?: boolean;
  /** The parameters' dtype (default float32). */
  dtype?: DType;
}

/**
 * 1-D convolution (torch.nn.Conv1d): x [N, inChannels, L] → [N, outChannels, L'], with
 * L' = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1; the weight is PyTorch's layout,
 * [outChannels, inChannels/groups, k], initialised as PyTorch's. A Conv2d over planes of height 1.
 */
export class Conv1d extends Module {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer: LayerEntry<'Conv1d', typeof fields1d, Conv1d> = {
    type: 'Conv1d',
    fields: fields1d,
    describe: (m) => ({
      inChannels: m.inChannels,
      outChannels: m.outChannels,
      kernelSize: m.kernelSize,
      stride: m.stride,
      padding: m.padding,
      dilation: m.dilation,
      groups: m.groups,
      bias: m.bias !== null,
    }),
    build: (s, dtype) => new Conv1d(s.inChannels, s.outChannels, s.kernelSize, { ...s, dtype }),
    check: checkConvSpec,
    parameters: (s) => [
      { name: 'weight', shape: [s.outChannels, Math.floor(s.inChannels / s.groups), s.kernelSize], torch: 'same' },
      ...(s.bias ? [{ name: 'bias', shape: [s.outChannels], torch: 'same' } as const] : []),
    ],
    onnx: (g, m, { input }) => {
      const pads = m.padding === 'same' ? samePadding(m.kernelSize, m.dilation) : [m.padding, m.padding];
      const inputs = [input, g.tensor('weight', m.weight), ...(m.bias ? [g.tensor('bias', m.bias)] : [])];
      return g.node('Conv', inputs, {
        kernel_shape: { ints: [m.kernelSize] },
        strides: { ints: [m.stride] },
        pads: { ints: pads },
        dilations: { ints: [m.dilation] },
        group: { int: m.groups },
      });
    },
    explain: (s, ctx) => {
      const [c, o] = [s.inChannels, s.outChannels];
      const count = o * (c / s.groups) * s.kernelSize + (s.bias ? o : 0);
      return {
        parameters: { count, detail: `W ${o}×${c / s.groups}×${s.kernelSize}${s.bias ? ` + b ${o}` : ''}` },
        lines: [
          `  as Conv2d with a ${1}×${s.kernelSize} kernel: y = im2col(x)·Wᵀ + b, dL/dW = im2col(x)ᵀ·dL/dy, dL/dx = col2im(dL/dy·W)${ctx.shape ? `, input ${batchShape(ctx)}` : ''}`,
        ],
      };
    },
    summary: (s) => `Conv1d(${s.inChannels}→${s.outChannels}, ${s.kernelSize})`,
  };

  /** The step between windows. */
  readonly stride: number;
  /** Zeros on both ends, or 'same'. */
  readonly padding: number | 'same';
  /** The spacing of kernel taps. */
  readonly dilation: number;
  /** The number of channel groups. */
  readonly groups: number;
  /** The kernels, [outChannels, inChannels/groups, kernelSize]. */
  readonly weight: Parameter;
  /** One bias per output channel, [outChannels], or null. */
  readonly bias: Parameter | null;

  /**
   * A 1-D convolution of inChannels → outChannels with windows of kernelSize.
   * @param inChannels - Channels of the input (C of [N, C, L]).
   * @param outChannels - Channels of the output: the number of kernels.
   * @param kernelSize - The window's length.
   */
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: Conv1dLayerOptions = {},
  ) {
    super();
    // Everything the 2-D layer would check is checked here, with this layer's name and 1-D sizes;
    // the 2-D layer then initialises as PyTorch's Conv1d (the same fan-in).
    const name = 'Conv1d';
    const groups = options.groups ?? 1;
    checkChannels(name, inChannels, outChannels, groups);
    if (!Number.isSafeInteger(kernelSize) || kernelSize <= 0)
      throw new Error(`${name}: kernelSize must be a positive integer, got ${showValue(kernelSize)}`);
    checkWindow1d(name, {
      stride: options.stride ?? 1,
      padding: options.padding ?? 0,
      dilation: options.dilation ?? 1,
    });
    checkParameterCount(
      `${this.label()}`,
      outChannels * (inChannels / groups) * kernelSize + (options.bias === false ? 0 : outChannels),
    );
    const plane = new Conv2d(inChannels, outChannels, [1, kernelSize], {
      stride: [1, options.stride ?? 1],
      padding: typeof options.padding === 'number' ? [0, options.padding] : options.padding,
      dilation: [1, options.dilation ?? 1],
      groups: options.groups,
      bias: options.bias,
      dtype: options.dtype,
    });
    this.stride = options.stride ?? 1;
    this.padding = options.padding === 'valid' ? 0 : (options.padding ?? 0);
    this.dilation = options.dilation ?? 1;
    this.groups = plane.groups;
    this.weight = new Parameter(plane.weight.reshape([outChannels, inChannels / this.groups, kernelSize]));
    this.bias = plane.bias;
  }

  /** The convolution of x [N, inChannels, L] → [N, outChannels, L']. */
  forward(x: Tensor): Tensor {
    if (x.rank !== 3 || x.shape[1] !== this.inChannels) {
      throw new Error(
        `${this.label()}: expected input [N,${this.inChannels},L], got ${shapeStr(x.shape)}${x.rank === 3 ? ` (${x.shape[1]} channels)` : ''}`,
      );
    }
    try {
      return conv1d(x, this.weight, this.bias, {
        stride: this.stride,
        padding: this.padding,
        dilation: this.dilation,
        groups: this.groups,
      });
    } catch (e) {
      throw new Error(`${this.label()}: ${(e as Error).message}`, { cause: e });
    }
  }

  override label(): string {
    return `Conv1d(${this.inChannels}→${this.outChannels}, ${this.kernelSize})`;
  }
}
