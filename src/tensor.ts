// Tensor: a shape, a dtype, contiguous row-major data owned by the garbage collector, and, for
// tensors made by ops while gradients are on, the node that made them (gradFn).

// Op methods (x.add(y), x.relu(), ...) and backward() are attached from outside this file: by
// the op table (ops/op.ts, typed in ops/table.ts) and by autograd/engine.ts, so that tensors
// import no op and no autograd.

import type { Data, DType } from './backend/contract.js';
import { checkShape, shapeStr, sizeOf, type Shape } from './shape.js';
import { random, randomNormal } from './random.js';
import { formatTensor, formatValues, isSummarized, PREFIX } from './show.js';
import { allocData, copyCell, hostCell, hostData, markHostWritten, readHostData, Cell } from './cells.js';

export type { DType, Data };

/** How a tensor was made: its op's name, its inputs, and the op's backward rule (PyTorch's grad_fn). */
export interface GradFn {
  /** The op's name in the op table ('matmul', 'relu', ...). */
  readonly op: string;
  /** The op's tensor inputs, in order. */
  readonly inputs: readonly Tensor[];
  /** Each input's write version when the op ran: backward refuses an input written in place since. */
  readonly versions: readonly number[];
  /**
   * Gradients for the inputs given dL/d(output); `needs[i]` says whether input i wants one. Null
   * once a backward pass without `retainGraph` has run it: the values it saved are freed.
   */
  backward: ((gy: Tensor, needs: readonly boolean[]) => (Tensor | null)[]) | null;
}

/** Options of the creation functions (tensor, zeros, ones, full, rand, randn, arange, eye). */
export interface TensorOptions {
  /** The shape, e.g. `[N, C]` (tensor: the shape of a flat TypedArray, or a reshape of nested arrays' values). */
  shape?: readonly number[];
  /** 'float32' (the default) or 'float64'. */
  dtype?: DType;
  /** Make a leaf that backward() computes a gradient for (default false), as torch's requires_grad. */
  requiresGrad?: boolean;
}

/** A number or nested arrays of numbers, as `tensor()` reads and `toArray()` returns: `[[1, 2], [3, 4]]` is shape [2, 2]. */
export type NestedArray = number | NestedArray[];

/**
 * An n-dimensional array of float32 or float64 values with reverse-mode autograd, as
 * torch.Tensor: a shape (`[N, C, H, W]`, `[]` for a scalar), a dtype, contiguous row-major data in
 * a TypedArray owned by the garbage collector (nothing to dispose), and, for a tensor made by ops
 * while gradients are on, the op that made it (`gradFn`). Every op of the op table that takes a
 * tensor first is also a method: `x.add(y)` is `add(x, y)`.
 *
 * @example
 * ```ts
 * const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });   // shape [2, 2]
 * x.mul(x).sum().backward();                                    // x.grad is 2x
 * ```
 */
export class Tensor {
  /** The tensor's memory, shared with its views (reshape, detach, Parameter). @internal */
  readonly cell: Cell;
  /** The size of each axis, e.g. `[N, C, H, W]`; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** 'float32' or 'float64'. */
  readonly dtype: DType;
  /**
   * Whether backward() computes a gradient for this tensor, as torch's requires_grad: set on
   * leaves by `requiresGrad` or requiresGrad_(); an op's output has it when any input has it and
   * gradients are on (not inside noGrad).
   */
  requiresGrad = false;
  /** dL/dthis after backward(), for leaves that require gradients; accumulates across calls. */
  grad: Tensor | null = null;
  /** The op that made this tensor (its name, inputs and backward rule), or null for a leaf (PyTorch's grad_fn). */
  gradFn: GradFn | null = null;

  /**
   * Wraps `data` (not copied) as a tensor of this shape; the dtype defaults to the array's
   * (Float64Array: float64, else float32). Usually `tensor()` or an op makes tensors. Throws when
   * the data's length is not the shape's number of elements.
   */
  constructor(data: Data, shape: readonly number[], dtype?: DType);
  /** A tensor over a cell (a view shares it), its dtype the cell's. @internal */
  constructor(cell: Cell, shape: readonly number[]);
  constructor(data: Data | Cell, shape: readonly number[], dtype?: DType) {
    checkShape('Tensor', shape);
    if (data.length !== sizeOf(shape)) {
      throw new Error(`Tensor: data has ${data.length} elements but shape ${shapeStr(shape)} needs ${sizeOf(shape)}`);
    }
    if (data instanceof Cell) {
      this.cell = data;
      this.dtype = data.dtype;
    } else {
      this.dtype = dtype ?? (data instanceof Float64Array ? 'float64' : 'float32');
      this.cell = hostCell(data, this.dtype);
    }
    this.shape = shape;
  }

  /**
   * The values, row-major (the last axis varies fastest). Shared, not copied, by detach() and by
   * reshapes; after writing into it yourself, call markChanged(). On a device backend, where a
   * tensor's values may live only on the device, this throws: `await t.read()` reads them.
   */
  get data(): Data {
    const c = this.cell;
    return c.hostValid && c.busy === 0 ? c.host! : hostData(c, label(this));
  }

  /**
   * The values, once the device work queued before has run (at once on the CPU backends): the
   * same array as `data` then holds them. See readAll for many tensors in one round trip.
   *
   * @example
   * ```ts
   * const values = await loss.read();   // a Float32Array
   * ```
   */
  async read(): Promise<Data> {
    return (await readHostData([this.cell]))[0];
  }

  /**
   * The values as nested arrays of the tensor's shape (a number for a scalar), once the device
   * work queued before has run: toArray() that works on every backend, as tfjs's `array()`.
   *
   * @example
   * ```ts
   * console.log(await loss.array());   // 0.6931…
   * ```
   */
  async array(): Promise<NestedArray> {
    await this.read();
    return this.toArray();
  }

  /** The number of elements (the product of the shape), as torch's numel(). */
  get size(): number {
    return this.cell.length;
  }

  /** The number of elements, as torch's numel() (the same as `size`). */
  numel(): number {
    return this.cell.length;
  }

  /** The number of axes (shape.length), as torch's dim(). */
  get rank(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor, as torch's item(); throws for any other size. */
  item(): number {
    if (this.size !== 1)
      throw new Error(`item: tensor of shape ${shapeStr(this.shape)} has ${this.size} elements, expected 1`);
    return this.data[0];
  }

  /** The values as nested arrays of the tensor's shape (a number for a scalar), as torch's tolist(). */
  toArray(): NestedArray {
    const data = this.data;
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return data[offset];
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /**
   * Tells nabla that `.data` was written in place by code outside nabla (e.g.
   * `w.data.set(values)`), so that nothing derived from the old values is reused; nabla's own
   * writers (optimizers, loadStateDict, initialisers) do this themselves. Returns this.
   */
  markChanged(): this {
    hostData(this.cell, `markChanged of ${label(this)}`);
    markHostWritten(this.cell);
    return this;
  }

  /** How many times this tensor's memory has been written in place (markChanged, optimizer steps, ...). */
  get version(): number {
    return this.cell.version;
  }

  /** A tensor sharing this one's data, cut from the graph (no gradFn, requiresGrad false), as torch's detach(). */
  detach(): Tensor {
    return new Tensor(this.cell, this.shape);
  }

  /** A tensor with its own copy of the data, cut from the graph (unlike torch's clone(), which stays in it). */
  clone(): Tensor {
    return new Tensor(copyCell(this.cell, this.shape), this.shape);
  }

  /** Marks a leaf as wanting gradients (or not, with false), as torch's requires_grad_(); returns this for chaining. Throws for a tensor made by an op. */
  requiresGrad_(flag = true): this {
    if (this.gradFn) throw new Error('requiresGrad_: only leaf tensors can change requiresGrad; use detach() first');
    this.requiresGrad = flag;
    return this;
  }

  /**
   * The tensor as PyTorch prints it: its values (four decimals; above 1,000 values the first and
   * last 3 of each axis), its dtype, its shape where the values do not show it, and
   * requiresGrad or gradFn. On a device backend the values show once read (`await t.read()`).
   *
   * @example
   * ```ts
   * String(tensor([[0.1, 0.2], [0.3, 0.4]]));
   * // tensor([[0.1000, 0.2000],
   * //         [0.3000, 0.4000]], dtype=float32)
   * ```
   */
  toString(): string {
    const c = this.cell;
    const readable = !c.released && c.busy === 0 && (c.hostValid || !c.deviceValid);
    const values = readable
      ? formatValues(this.data, this.shape, PREFIX.length)
      : c.released
        ? '<released at the end of its step>'
        : '<on the device: await t.read() first>';
    const suffixes = [];
    if (!readable || this.size === 0 || isSummarized(this.size)) suffixes.push(`shape=${shapeStr(this.shape)}`);
    suffixes.push(`dtype=${this.dtype}`);
    if (this.gradFn) suffixes.push(`gradFn=<${this.gradFn.op}>`);
    else if (this.requiresGrad) suffixes.push('requiresGrad=true');
    return formatTensor(values, suffixes);
  }

  /** console.log and util.inspect in Node print toString(). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** `Tensor([2,3], float32)`: a tensor named in a message, by its shape and dtype. */
const label = (t: Tensor) => `Tensor(${shapeStr(t.shape)}, ${t.dtype})`;

/**
 * The values of many tensors, as `t.read()` for each but with one device round trip: resolves
 * once the device work queued before has run (at once on the CPU backends).
 *
 * @example
 * ```ts
 * const [w, b] = await readAll([layer.weight, layer.bias]);
 * ```
 */
export function readAll(tensors: readonly Tensor[]): Promise<Data[]> {
  return readHostData(tensors.map((t) => t.cell));
}

/**
 * Adds a method to every Tensor, non-enumerable like a class method: how the op table's ops
 * (ops/op.ts) and autograd's backward (autograd/engine.ts) attach theirs.
 */
export function defineTensorMethod(name: string, method: (this: Tensor, ...args: never[]) => unknown): void {
  Object.defineProperty(Tensor.prototype, name, { value: method, writable: true, configurable: true });
}

// ---- creation ----

function flatten(values: NestedArray, shape: number[], depth: number, out: number[]): void {
  if (typeof values === 'number') {
    if (depth !== shape.length) throw new Error(`tensor: ragged nested array at depth ${depth}`);
    out.push(values);
    return;
  }
  if (!Array.isArray(values)) throw new Error(`tensor: expected a number or an array, got ${typeof values}`);
  if (depth === shape.length) shape.push(values.length);
  else if (shape[depth] !== values.length) {
    throw new Error(`tensor: ragged nested array: length ${values.length} at depth ${depth}, expected ${shape[depth]}`);
  }
  for (const v of values) flatten(v, shape, depth + 1, out);
}

/**
 * A tensor from nested arrays, a number, or a TypedArray (with `shape`, default 1-D), as
 * torch.tensor. The values are copied; the dtype is float32 unless `options.dtype` says float64
 * (a Float64Array gives float64). Ragged arrays are refused.
 *
 * @example
 * ```ts
 * const x = tensor([[1, 2, 3], [4, 5, 6]]);                   // shape [2, 3], float32
 * const w = tensor(new Float64Array(6), { shape: [3, 2], requiresGrad: true });
 * ```
 */
export function tensor(values: NestedArray | ArrayLike<number>, options: TensorOptions = {}): Tensor {
  let flat: ArrayLike<number>;
  let shape: number[];
  if (ArrayBuffer.isView(values)) {
    flat = values as ArrayLike<number>;
    shape = options.shape ? [...options.shape] : [flat.length];
  } else {
    const out: number[] = [];
    shape = [];
    if (Array.isArray(values) && values.length === 0) shape = [0];
    else flatten(values as NestedArray, shape, 0, out);
    flat = out;
    if (options.shape) shape = [...options.shape];
  }
  checkShape('tensor', shape);
  const dtype = options.dtype ?? (values instanceof Float64Array ? 'float64' : 'float32');
  if (dtype !== 'float32' && dtype !== 'float64')
    throw new Error(`tensor: unknown dtype '${dtype as string}' (use float32 or float64)`);
  if (flat.length !== sizeOf(shape)) {
    throw new Error(`tensor: ${flat.length} values cannot have shape ${shapeStr(shape)} (${sizeOf(shape)} elements)`);
  }
  const data = allocData(dtype, flat.length);
  data.set(flat);
  const t = new Tensor(data, shape, dtype);
  t.requiresGrad = options.requiresGrad ?? false;
  return t;
}

function filled(op: string, shape: Shape, fill: (i: number) => number, options: TensorOptions): Tensor {
  checkShape(op, shape);
  const dtype = options.dtype ?? 'float32';
  const data = allocData(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = fill(i);
  const t = new Tensor(data, [...shape], dtype);
  t.requiresGrad = options.requiresGrad ?? false;
  return t;
}

/**
 * A tensor of this shape filled with 0, as torch.zeros (float32 unless `o.dtype`).
 *
 * @example
 * ```ts
 * const b = zeros([3]);                          // [0, 0, 0]
 * const w = zeros([2, 3], { dtype: 'float64' }); // shape [2, 3]
 * ```
 */
export const zeros = (shape: Shape, o: TensorOptions = {}) => filled('zeros', shape, () => 0, o);
/** A tensor of this shape filled with 1, as torch.ones. */
export const ones = (shape: Shape, o: TensorOptions = {}) => filled('ones', shape, () => 1, o);
/** A tensor of this shape filled with `value`, as torch.full. */
export const full = (shape: Shape, value: number, o: TensorOptions = {}) => filled('full', shape, () => value, o);
/** Uniform in [0, 1) from the seeded PRNG (manualSeed), as torch.rand. */
export const rand = (shape: Shape, o: TensorOptions = {}) => filled('rand', shape, () => random(), o);
/**
 * Standard normal from the seeded PRNG (manualSeed), as torch.randn.
 *
 * @example
 * ```ts
 * manualSeed(0);
 * const x = randn([32, 784]);   // a batch of 32 rows of 784 features
 * ```
 */
export const randn = (shape: Shape, o: TensorOptions = {}) => filled('randn', shape, () => randomNormal(), o);

/**
 * The 1-D tensor start, start + step, ... up to but excluding `end`, as torch.arange;
 * `arange(n)` is 0, 1, ..., n − 1.
 *
 * @example
 * ```ts
 * arange(4).toArray();          // [0, 1, 2, 3]
 * arange(1, 2, 0.25).toArray(); // [1, 1.25, 1.5, 1.75]
 * ```
 */
export function arange(start: number, end?: number, step = 1, o: TensorOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0) throw new Error('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((end - start) / step));
  return filled('arange', [n], (i) => start + i * step, o);
}

/** The n×n identity matrix, shape [n, n], as torch.eye. */
export function eye(n: number, o: TensorOptions = {}): Tensor {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`eye: n must be a non-negative integer, got ${n}`);
  return filled('eye', [n, n], (i) => (Math.floor(i / n) === i % n ? 1 : 0), o);
}
