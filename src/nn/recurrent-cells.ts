// nn.RNNCell, nn.LSTMCell and nn.GRUCell as torch's: one step of nn.RNN, nn.LSTM and nn.GRU
// (nn/recurrent.ts, whose `step` they run: X = x·W_ihᵀ + b_ih, then the cell), for loops a user
// writes. Torch's parameter names (weight_ih, weight_hh, bias_ih, bias_hh), layouts [G·H, in] and
// [G·H, H], gate order and U(−1/√H, 1/√H) initialisation. Not layer-table entries: a cell takes
// its state and gives it back, so it is not a layer of a Sequential.

import { zeros, type Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { matmulT } from '../ops/index.js';
import { uniform_ } from './init.js';
import { Module, Parameter } from './module.js';
import { GATES, step, type CellKind, type RecurrentOptions } from './recurrent.js';

/** Options of the cells: a bias or not, and the parameters' dtype. */
export type CellOptions = Pick<RecurrentOptions, 'bias' | 'dtype'>;

/** The base of the cells: torch's parameters and one step on a batch [N, inputSize] or one sample [inputSize]. */
abstract class Cell<Out> extends Module<Out> {
  /** W_ih, [G·hiddenSize, inputSize]. */
  readonly weight_ih: Parameter;
  /** W_hh, [G·hiddenSize, hiddenSize]. */
  readonly weight_hh: Parameter;
  /** b_ih, [G·hiddenSize], or null without a bias. */
  readonly bias_ih: Parameter | null;
  /** b_hh, [G·hiddenSize], or null without a bias. */
  readonly bias_hh: Parameter | null;
  readonly #type: string;
  readonly #kind: CellKind;

  protected constructor(
    type: string,
    kind: CellKind,
    /** Features of the input. */
    readonly inputSize: number,
    /** Features of the state. */
    readonly hiddenSize: number,
    o: CellOptions,
  ) {
    super();
    this.#type = type;
    this.#kind = kind;
    for (const [name, v] of [
      ['inputSize', inputSize],
      ['hiddenSize', hiddenSize],
    ] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`${type}: ${name} must be a positive integer, got ${v}`);
    }
    const rows = GATES[kind] * hiddenSize;
    const dtype = o.dtype ?? 'float32';
    const k = 1 / Math.sqrt(hiddenSize);
    const make = (shape: number[]) => new Parameter(uniform_(zeros(shape, { dtype }), -k, k));
    this.weight_ih = make([rows, inputSize]);
    this.weight_hh = make([rows, hiddenSize]);
    this.bias_ih = o.bias === false ? null : make([rows]);
    this.bias_hh = o.bias === false ? null : make([rows]);
  }

  /** The state after one step of x from h (and c), zeros when null: [N, hiddenSize], or [hiddenSize] for one sample. */
  protected run(x: Tensor, h: Tensor | null, c: Tensor | null): [Tensor, Tensor | null] {
    const batched = x.rank === 2;
    if ((x.rank !== 1 && x.rank !== 2) || x.shape[x.rank - 1] !== this.inputSize)
      throw new Error(
        `${this.label()}: input must be [batch, ${this.inputSize}] or [${this.inputSize}], got ${shapeStr(x.shape)}`,
      );
    const dtype = this.weight_ih.dtype;
    if (x.dtype !== dtype) throw new Error(`${this.label()}: input is ${x.dtype} but the cell's weights are ${dtype}`);
    const n = batched ? x.shape[0] : 1;
    const state = (s: Tensor | null, name: string): Tensor => {
      if (s === null) return zeros([n, this.hiddenSize], { dtype });
      const expected = batched ? [n, this.hiddenSize] : [this.hiddenSize];
      if (s.shape.join() !== expected.join())
        throw new Error(`${this.label()}: ${name} has shape ${shapeStr(s.shape)}, expected ${shapeStr(expected)}`);
      if (s.dtype !== dtype)
        throw new Error(`${this.label()}: ${name} is ${s.dtype} but the cell's weights are ${dtype}`);
      return s.reshape([n, this.hiddenSize]);
    };
    const rows = x.reshape([n, this.inputSize]);
    const projected = matmulT(rows, this.weight_ih, false, true);
    const gx = this.bias_ih ? projected.add(this.bias_ih) : projected;
    const w = { ih: this.weight_ih, hh: this.weight_hh, bih: this.bias_ih, bhh: this.bias_hh };
    const [hNext, cNext] = step(this.#kind, gx, state(h, 'h'), this.#kind === 'lstm' ? state(c, 'c') : null, w);
    const shaped = (t: Tensor) => (batched ? t : t.reshape([this.hiddenSize]));
    return [shaped(hNext), cNext && shaped(cNext)];
  }

  override label(): string {
    return `${this.#type}(${this.inputSize}→${this.hiddenSize})`;
  }
}

/** Options of nn.RNNCell: those of every cell and the nonlinearity. */
export interface RnnCellOptions extends CellOptions {
  /** h' = tanh(g) (default) or relu(g). */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * One step of an Elman RNN (torch.nn.RNNCell): h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or relu),
 * x [N, inputSize] (or [inputSize]) and h [N, hiddenSize] (zeros when omitted).
 *
 * @example
 * ```ts
 * const cell = new nn.RNNCell(10, 20);
 * let h = cell.forward(randn([3, 10]));        // [3, 20]
 * h = cell.forward(randn([3, 10]), h);
 * ```
 */
export class RNNCell extends Cell<Tensor> {
  /** The cell's nonlinearity. */
  readonly nonlinearity: 'tanh' | 'relu';

  /**
   * An RNN cell of inputSize → hiddenSize; throws for non-positive sizes or an unknown nonlinearity.
   * @param inputSize - Features of the input.
   * @param hiddenSize - Features of the state.
   */
  constructor(inputSize: number, hiddenSize: number, options: RnnCellOptions = {}) {
    const nonlinearity = options.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu')
      throw new Error(`RNNCell: nonlinearity must be 'tanh' or 'relu', got ${String(nonlinearity)}`);
    super('RNNCell', nonlinearity, inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }

  /** h' from x and h. */
  forward(x: Tensor, h: Tensor | null = null): Tensor {
    return this.run(x, h, null)[0];
  }
}

/**
 * One step of an LSTM (torch.nn.LSTMCell): g = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh split into i, f, g, o;
 * c' = σ(f)⊙c + σ(i)⊙tanh(g), h' = σ(o)⊙tanh(c'). The state is a pair [h, c] (zeros when omitted).
 *
 * @example
 * ```ts
 * const cell = new nn.LSTMCell(10, 20);
 * const [h, c] = cell.forward(randn([3, 10]));   // each [3, 20]
 * ```
 */
export class LSTMCell extends Cell<[Tensor, Tensor]> {
  /**
   * An LSTM cell of inputSize → hiddenSize; throws for non-positive sizes.
   * @param inputSize - Features of the input.
   * @param hiddenSize - Features of the states h and c.
   */
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super('LSTMCell', 'lstm', inputSize, hiddenSize, options);
  }

  /** [h', c'] from x and the state [h, c]. */
  forward(x: Tensor, state: readonly [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    if (state !== null && (!Array.isArray(state) || state.length !== 2))
      throw new Error(`${this.label()}: the state must be a pair [h, c]`);
    const [h, c] = this.run(x, state?.[0] ?? null, state?.[1] ?? null);
    return [h, c!];
  }
}

/**
 * One step of a GRU (torch.nn.GRUCell): with X = x·W_ihᵀ + b_ih and H = h·W_hhᵀ + b_hh split into
 * r, z, n: r = σ(X_r + H_r), z = σ(X_z + H_z), n = tanh(X_n + r⊙H_n), h' = (1 − z)⊙n + z⊙h.
 *
 * @example
 * ```ts
 * const cell = new nn.GRUCell(10, 20);
 * const h = cell.forward(randn([3, 10]));   // [3, 20]
 * ```
 */
export class GRUCell extends Cell<Tensor> {
  /**
   * A GRU cell of inputSize → hiddenSize; throws for non-positive sizes.
   * @param inputSize - Features of the input.
   * @param hiddenSize - Features of the state.
   */
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super('GRUCell', 'gru', inputSize, hiddenSize, options);
  }

  /** h' from x and h. */
  forward(x: Tensor, h: Tensor | null = null): Tensor {
    return this.run(x, h, null)[0];
  }
}
