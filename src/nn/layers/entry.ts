// The shape of one layer table entry. A layer class carries its entry as `static readonly layer`,
// so everything about the layer lives in the class's file: its name in model files and the checks
// its fields pass there (describe, build, validate), its parameters with their PyTorch layout, its
// ONNX nodes (through OnnxEmitter, which io/onnx.ts implements: nn does not import io), its
// `nabla explain` formulas, and the layers it fuses with in Sequential. The table itself is
// table.ts, built from index.ts, the list of layer files that scripts/gen-tables.mjs writes.
// Each `layer` is marked @internal: it is plumbing between nn and io/cli, so the API reference
// leaves it out and documents the class (its constructor, forward) instead.

import { Tensor, type DType } from '../../tensor.js';
import type { Module } from '../module.js';

// ---- fields of a layer spec (model files are untrusted: every field is checked) ----

/** One spec field: the check its value must pass and, for the error message, what was expected. */
export interface Field<T> {
  readonly check: (v: unknown) => v is T;
  readonly expected: string;
}

export type Fields = Readonly<Record<string, Field<unknown>>>;

/** The spec fields (without `type`) that a field list describes. */
export type SpecOf<F extends Fields> = { -readonly [K in keyof F]: F[K] extends Field<infer T> ? T : never };

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);

const isIntPair =
  (min: number, max: number) =>
  (v: unknown): v is [number, number] =>
    Array.isArray(v) && v.length === 2 && v.every((d) => isInt(d) && d >= min && d <= max);

/** The most parameters one model may have: 2^28 (1 GiB of float32); model files are held to it too. */
export const MAX_PARAMETERS = 2 ** 28;

/** A layer constructor refuses more parameters than the cap, naming itself, before allocating any. */
export function checkParameterCount(layer: string, count: number): void {
  if (count > MAX_PARAMETERS) throw new Error(`${layer}: ${count} parameters, more than the cap of ${MAX_PARAMETERS}`);
}

/** Sizes of a window (kernel, stride, dilation, padding) in a model file: at most this, per axis. */
export const MAX_WINDOW = 65_536;

export const field = {
  int: { check: isInt, expected: 'an integer' } as Field<number>,
  positiveInt: {
    check: (v: unknown): v is number => isInt(v) && v > 0,
    expected: 'a positive integer',
  } as Field<number>,
  finiteNumber: {
    check: (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v),
    expected: 'a finite number',
  } as Field<number>,
  probability: {
    check: (v: unknown): v is number => typeof v === 'number' && v >= 0 && v < 1,
    expected: 'a number in [0, 1)',
  } as Field<number>,
  boolean: { check: (v: unknown): v is boolean => typeof v === 'boolean', expected: 'a boolean' } as Field<boolean>,
  positiveNumber: {
    check: (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0,
    expected: 'a positive number',
  } as Field<number>,
  unitInterval: {
    check: (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1,
    expected: 'a number in [0, 1]',
  } as Field<number>,
  /** [height, width], each in 1..MAX_WINDOW (kernel sizes, strides, dilations, output sizes). */
  sizePair: { check: isIntPair(1, MAX_WINDOW), expected: `[height, width], integers in 1..${MAX_WINDOW}` } as Field<
    [number, number]
  >,
  /** [height, width], each in 0..MAX_WINDOW. */
  paddingPair: { check: isIntPair(0, MAX_WINDOW), expected: `[height, width], integers in 0..${MAX_WINDOW}` } as Field<
    [number, number]
  >,
  /** A convolution's padding: [height, width] or 'same'. */
  convPadding: {
    check: (v: unknown): v is [number, number] | 'same' => v === 'same' || isIntPair(0, MAX_WINDOW)(v),
    expected: `[height, width] (integers in 0..${MAX_WINDOW}) or "same"`,
  } as Field<[number, number] | 'same'>,
};

// ---- parameters ----

/**
 * One parameter of a layer built from a spec: its name (the module field, which is also PyTorch's
 * name in nn.Sequential: "weight", "bias"), its shape in nabla, and how PyTorch stores it:
 * 'same' (PyTorch's layout, e.g. conv weights [out, in/groups, kH, kW], biases) or 'transpose'
 * (a 2-D tensor PyTorch stores transposed: Linear's W is [in, out] here, [out, in] in torch).
 */
export interface ParameterDecl {
  readonly name: string;
  readonly shape: readonly number[];
  readonly torch: 'same' | 'transpose';
  /** PyTorch's name when it differs (batch norm's runningMean is running_mean). */
  readonly torchName?: string;
  /** A count kept as an integer (stored as I64, as PyTorch's num_batches_tracked is). */
  readonly integer?: boolean;
}

// ---- ONNX ----

/** An ONNX node attribute's value: one integer, float, string, or a list of integers or strings. */
export type OnnxAttribute =
  | {
      /** An INT attribute. */
      readonly int: number;
    }
  | {
      /** A FLOAT attribute. */
      readonly float: number;
    }
  | {
      /** An INTS attribute. */
      readonly ints: readonly number[];
    }
  | {
      /** A STRING attribute. */
      readonly string: string;
    }
  | {
      /** A STRINGS attribute. */
      readonly strings: readonly string[];
    };

/**
 * What a layer's ONNX export may write, scoped to the layer: initializer names are local
 * ("weight", "alpha") and the emitter prefixes them with the layer's index ("3.weight").
 * Every method returns the name of the value it made, to be used as a later node's input.
 */
export interface OnnxEmitter {
  /** The graph's element type (the model's dtype). */
  readonly dtype: DType;
  /** A node; its output is named after the op and a running count ("relu_2"). */
  node(opType: string, inputs: string[], attributes?: Readonly<Record<string, OnnxAttribute>>): string;
  /** An initializer holding a tensor's values, in the graph's element type. */
  tensor(name: string, t: Tensor): string;
  /** A scalar initializer in the graph's element type. */
  scalar(name: string, value: number): string;
  /** A 1-D int64 initializer (shapes, axes). */
  int64s(name: string, values: readonly number[]): string;
  /** A Cast node to `to` (int64: indices, as Gather takes them). */
  cast(input: string, to: DType | 'int64'): string;
}

/** GELU as ONNX nodes, y = ½x(1 + erf(x/√2)); `prefix` names its scalars (Erf runs in float32 for a float64 graph). */
export function onnxGelu(g: OnnxEmitter, x: string, prefix = ''): string {
  const scaled = g.node('Mul', [x, g.scalar(`${prefix}inv_sqrt2`, Math.SQRT1_2)]);
  const erf =
    g.dtype === 'float64' ? g.cast(g.node('Erf', [g.cast(scaled, 'float32')]), 'float64') : g.node('Erf', [scaled]);
  return g.node('Mul', [
    g.node('Mul', [x, g.node('Add', [erf, g.scalar(`${prefix}one`, 1)])]),
    g.scalar(`${prefix}half`, 0.5),
  ]);
}

/**
 * A Reshape to a layer's output shape (traced for a batch of one) that keeps the batch axis
 * dynamic: Reshape's 0 copies the input's size on that axis. When the layer merges or splits the
 * batch axis itself (`batchAxisChanged`), −1 lets Reshape work that size out instead.
 */
export function onnxReshape(
  g: OnnxEmitter,
  input: string,
  outputShape: readonly number[],
  batchAxisChanged: boolean,
): string {
  return g.node('Reshape', [input, g.int64s('shape', [batchAxisChanged ? -1 : 0, ...outputShape.slice(1)])]);
}

export interface OnnxContext {
  /** The name of the layer's input value. */
  readonly input: string;
  /** The layer's input shape for a batch of one (traced by the exporter). */
  readonly inputShape: readonly number[];
  /** The layer's output shape for a batch of one (traced by the exporter). */
  readonly outputShape: readonly number[];
}

// ---- explain ----

export interface ExplainContext {
  readonly batch: number;
  /** Features of the layer's input, as far as explain follows them. */
  readonly width: number;
  /** One sample's input shape ([C, H, W] for images), when explain knows it. */
  readonly shape: readonly number[] | null;
  /** Whether dL/dx is needed (false while no earlier layer has parameters: x is the data). */
  readonly inputGrad: boolean;
}

export interface Explanation {
  /** Trainable parameters: their count and what they are ("W 784×128 + b 128"). */
  readonly parameters?: { readonly count: number; readonly detail: string };
  /** Formula lines, as printed (indented). */
  readonly lines: readonly string[];
  /** FLOPs of the layer's matrix products and bias adds in one training step. */
  readonly flops?: { readonly forward: number; readonly backward: number };
  /** Features of the output, when the layer changes them. */
  readonly width?: number;
  /** One sample's output shape, when the layer changes it. */
  readonly shape?: readonly number[];
}

/** A batch's shape as explain prints it: [N×C×H×W], or [N×features]. */
export function batchShape(ctx: ExplainContext): string {
  return `[${[ctx.batch, ...(ctx.shape ?? [ctx.width])].join('×')}]`;
}

/** The two lines of an elementwise layer: forward with its shape, backward. */
export function elementwise(ctx: ExplainContext, forward: string, backward: string): Explanation {
  const s = batchShape(ctx);
  return { lines: [`  forward   ${forward}   : ${s} → ${s}`, `  backward  ${backward}`] };
}

// ---- the entry ----

export interface LayerEntry<
  Type extends string = string,
  F extends Fields = Fields,
  M extends Module<unknown> = Module<unknown>,
> {
  /** The name in model files (the class name, PyTorch's name). */
  readonly type: Type;
  /** The spec's fields in the order they are written and checked. */
  readonly fields: F;
  /** The module's spec fields (JSON-ready). */
  describe(m: M): SpecOf<F>;
  /** A fresh module from valid spec fields. */
  build(spec: SpecOf<F>, dtype: DType): M;
  /**
   * Checks across fields, after each field's own check and before anything is built (groups
   * dividing the channels): the field at fault and the problem ("groups 2 must divide ..."), or null.
   */
  check?(spec: SpecOf<F>): readonly [field: string, problem: string] | null;
  /** The parameters a module built from valid spec fields has (they count towards MAX_PARAMETERS). */
  parameters(spec: SpecOf<F>): ParameterDecl[];
  /** The layer's ONNX nodes (opset 13); returns the name of its output. */
  onnx(g: OnnxEmitter, m: M, ctx: OnnxContext): string;
  /** What `nabla explain` prints for the layer, from its spec alone (nothing is built or allocated). */
  explain(spec: SpecOf<F>, ctx: ExplainContext): Explanation;
  /** One-line summary of spec fields (inspect); by default Type(field values, ...). */
  summary?(spec: SpecOf<F>): string;
  /**
   * Layers this one fuses with when it is directly followed by them in a Sequential, by the
   * following layer's type: the fused forward replaces both layers' forwards (same values and
   * gradients).
   */
  readonly fusions?: Readonly<Record<string, (m: M, x: Tensor, next: Module<unknown>) => Tensor>>;
  /**
   * What the layer passes to the next one in a Sequential, for a layer whose forward returns more
   * than a tensor (a recurrent layer's [output, state]: its output sequence); by default forward(x).
   */
  readonly inSequence?: (m: M, x: Tensor) => Tensor;
}

/** A module's properties named after the spec fields, of the fields' types (arrays may be readonly). */
type Keeps<F extends Fields> = {
  readonly [K in keyof F]: F[K] extends Field<infer T> ? (T extends readonly unknown[] ? Readonly<T> : T) : never;
};

/**
 * The entry of a layer without parameters that keeps each spec field (none by default) as a
 * property of the same name (Dropout's p, Softmax's dim, MaxPool2d's kernelSize ...): describe
 * reads those properties, in the fields' order, copying arrays, and the parameter list is empty.
 * How it is built, its ONNX nodes and its explain lines are the layer's own.
 */
export function parameterless<
  Type extends string,
  M extends Module & Keeps<F>,
  F extends Fields = Record<never, never>,
>(
  entry: Omit<LayerEntry<Type, F, M>, 'fields' | 'describe' | 'parameters'> & { readonly fields?: F },
): LayerEntry<Type, F, M> {
  const fields = entry.fields ?? ({} as F);
  const names = Object.keys(fields);
  return {
    ...entry,
    fields,
    describe: (m) => {
      const kept = m as unknown as Readonly<Record<string, unknown>>;
      return Object.fromEntries(
        names.map((k) => {
          const v = kept[k];
          return [k, Array.isArray(v) ? [...v] : v];
        }),
      ) as SpecOf<F>;
    },
    parameters: () => [],
  };
}

/** A class that carries its table entry. */
export interface LayerClass<M extends Module<unknown> = Module<unknown>> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  new (...args: any[]): M;
  readonly layer: LayerEntry<string, Fields, M>;
}

/** The entry a module's class carries (inherited by subclasses, as instanceof would), if any. */
export function entryOf(m: Module<unknown>): LayerEntry | undefined {
  const e = (m.constructor as Partial<LayerClass>).layer;
  return e as LayerEntry | undefined;
}

/**
 * A layer's output as the next layer of a Sequential takes it: its entry's inSequence, else
 * forward(x), which must be a Tensor (a module returning anything else names itself).
 */
export function layerOutput(layer: Module<unknown>, x: Tensor): Tensor {
  const inSequence = entryOf(layer)?.inSequence;
  const y = inSequence ? inSequence(layer, x) : layer.forward(x);
  if (!(y instanceof Tensor))
    throw new Error(
      `${layer.label()}: forward returned ${typeof y}, not a Tensor, so it cannot be a layer of a Sequential`,
    );
  return y;
}
