// What an op-table entry is. Each op is declared once, with defineOp, in a file of src/ops/defs/
// (one op or one family per file): its forward (backend kernels, or a composite of other ops),
// its backward written with ops (so second derivatives work), its PyTorch counterpart and its
// test samples. The op test suite (test/ops.test.ts), the fixture script and the Tensor methods all
// read these entries; src/ops/generated/ops.ts lists the files (scripts/gen-tables.mjs).

import type { Cell } from '../cells.js';
import { defineTensorMethod, Tensor, type Data } from '../tensor.js';
import { output } from './node.js';

// Sample attributes are whatever each op takes (numbers, axes, flags, labels).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each op reads its own attribute types
export type Args = Record<string, any>;

/** One input of a sample: random normal values of a shape, or given values. */
export interface InputSample {
  shape: number[];
  /** |normal| + 0.5 (for log, sqrt, a divisor, ...). */
  positive?: boolean;
  /** Uniform in (0.05, 0.95) (probabilities). */
  unit?: boolean;
  values?: number[];
  /** A constant: no gradient is taken for it (its gradient here would be infinite, say). */
  constant?: boolean;
}

export interface Sample {
  inputs: InputSample[];
  args?: Args;
  /** false: no finite differences here (a point where the op is clamped, not differentiable). */
  gradcheck?: boolean;
}

/** An input the op must reject, and a part of the message it must give. */
export interface ErrorCase {
  inputs: InputSample[];
  args?: Args;
  message: string;
}

/** What an entry declares besides its forward and backward. */
export interface OpInfo<M extends boolean = boolean> {
  name: string;
  /** Also a Tensor method: x.name(...the other arguments). */
  method: M;
  /** How a sample calls the op: its inputs as tensors and its attributes (default fn(...inputs)). */
  call?: (inputs: Tensor[], args: Args) => Tensor;
  /**
   * The PyTorch counterpart, a Python expression in x (the inputs, float64 tensors), a (the
   * attributes), torch and F (torch.nn.functional): scripts/make_torch_fixtures.py evaluates it.
   */
  torch: string;
  samples: Sample[];
  errors: ErrorCase[];
  /** The harness also checks second derivatives (the gradient of the gradient). */
  secondOrder?: boolean;
}

/** A primitive forward's result: the output's data and shape (its dtype is the first input's), the inputs, what backward needs. */
export interface Forward<S> {
  data: Data | Cell;
  shape: readonly number[];
  inputs: readonly Tensor[];
  saved: S;
  /** The graph node's name when it is not the entry's (matmulT's nodes are 'matmul'). */
  op?: string;
}

export interface Primitive<A extends unknown[], S> extends OpInfo {
  /** The output, or a tensor as it is (an identity: reshape to the same shape, ...). */
  forward(...args: A): Forward<S> | Tensor;
  /** dL/d(each input) from dL/dy; `needs[i]`: input i wants a gradient. Written with ops. */
  backward(gy: Tensor, saved: S, y: Tensor, needs: readonly boolean[]): (Tensor | null)[];
}

export interface Composite<A extends unknown[]> extends OpInfo {
  /** The op as other ops: its gradient is theirs. */
  composite(...args: A): Tensor;
}

/**
 * An op: the function itself, with its table entry attached (`opTable.relu` is the function relu).
 * @typeParam F - The op's call signature.
 * @typeParam M - Whether the op is also a Tensor method.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- (...args: A) with generic A fits no never[] bound
export type Op<F extends (...args: any[]) => Tensor = (...args: any[]) => Tensor, M extends boolean = boolean> = F & {
  /**
   * The op's table entry: its name, PyTorch counterpart, test samples and error cases, which the
   * op-table suite (test/ops.test.ts) and the fixture script read.
   * @internal
   */
  readonly entry: OpInfo<M>;
};

/** An op that is also a Tensor method, and one that is not. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as Op's bound
export type Method<F extends (...args: any[]) => Tensor> = Op<F, true>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as Op's bound
export type Fn<F extends (...args: any[]) => Tensor> = Op<F, false>;

export function defineOp<A extends unknown[], S, M extends boolean>(
  spec: Primitive<A, S> & { method: M },
): Op<(...args: A) => Tensor, M>;
export function defineOp<A extends unknown[], M extends boolean>(
  spec: Composite<A> & { method: M },
): Op<(...args: A) => Tensor, M>;
export function defineOp<A extends unknown[], S>(spec: (Primitive<A, S> | Composite<A>) & { method: boolean }): Op {
  let fn: (...args: A) => Tensor;
  if ('composite' in spec) {
    fn = spec.composite;
  } else {
    const { name, forward, backward } = spec;
    fn = (...args: A): Tensor => {
      const f = forward(...args);
      if (f instanceof Tensor) return f;
      const { saved } = f;
      const y: Tensor = output(f.op ?? name, f.data, f.shape, f.inputs[0].dtype, f.inputs, (gy, needs) =>
        backward(gy, saved, y, needs),
      );
      return y;
    };
  }
  const op = Object.assign(fn, { entry: spec });
  if (spec.method) {
    // x.name(...rest) = op(x, ...rest), on every Tensor (ops/table.ts declares their types).
    const f = fn as (...args: unknown[]) => Tensor;
    defineTensorMethod(spec.name, function (this: Tensor, ...rest: unknown[]) {
      return f(this, ...rest);
    });
  }
  return op as unknown as Op;
}
