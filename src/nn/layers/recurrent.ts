// nn.RNN, nn.LSTM and nn.GRU as torch's modules: the same constructor options, forward(x, h0?)
// returning [output, hN] (LSTM: [output, [hN, cN]]), torch's parameter names (weight_ih_l0, ...,
// _reverse) and layouts, gate order and initialisation. The recurrence and its formulas are
// nn/recurrent.ts; the entry parts the three share (ONNX export included), nn/recurrent-entry.ts.
// In a Sequential (and so in model files and ONNX) a recurrent layer passes on its output sequence.

import type { Tensor } from '../../tensor.js';
import { Recurrent, type RecurrentOptions } from '../recurrent.js';
import {
  describeRecurrent,
  explainRecurrent,
  recurrentEntryParts,
  recurrentFields,
  recurrentParameters,
} from '../recurrent-entry.js';
import type { Field, LayerEntry } from './entry.js';

export type { RecurrentOptions } from '../recurrent.js';

/** Options of nn.RNN: those of every recurrent layer and the nonlinearity. */
export interface RnnOptions extends RecurrentOptions {
  /** h_t = tanh(g) (default) or relu(g). */
  nonlinearity?: 'tanh' | 'relu';
}

const rnnFields = {
  ...recurrentFields,
  nonlinearity: {
    check: (v: unknown): v is 'tanh' | 'relu' => v === 'tanh' || v === 'relu',
    expected: '"tanh" or "relu"',
  } as Field<'tanh' | 'relu'>,
};

/**
 * An Elman recurrent network (torch.nn.RNN): h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)
 * (or relu), over numLayers stacked layers, optionally bidirectional. x is [T, N, inputSize]
 * ([N, T, inputSize] with batchFirst, or unbatched [T, inputSize]); forward returns the last
 * layer's h_t for every t, [T, N, D·hiddenSize], and the last state of every layer and direction,
 * [numLayers·D, N, hiddenSize]. Weights start U(−1/√hiddenSize, 1/√hiddenSize), as torch's.
 *
 * @example
 * ```ts
 * const rnn = new nn.RNN(10, 20, { numLayers: 2 });
 * const [output, hN] = rnn.forward(randn([5, 3, 10]));   // output [5, 3, 20], hN [2, 3, 20]
 * ```
 */
export class RNN extends Recurrent<[Tensor, Tensor]> {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer: LayerEntry<'RNN', typeof rnnFields, RNN> = {
    type: 'RNN',
    fields: rnnFields,
    describe: (m) => ({ ...describeRecurrent(m), nonlinearity: m.nonlinearity }),
    build: ({ inputSize, hiddenSize, ...o }, dtype) => new RNN(inputSize, hiddenSize, { ...o, dtype }),
    parameters: (s) => recurrentParameters(s, s.nonlinearity),
    explain: (s, ctx) => explainRecurrent(s.nonlinearity, s, ctx),
    ...recurrentEntryParts<RNN>('RNN', (m) => m.nonlinearity),
  };

  /** The cell's nonlinearity. */
  readonly nonlinearity: 'tanh' | 'relu';

  /**
   * An RNN of inputSize → hiddenSize; throws for non-positive sizes, a dropout outside [0, 1) or an unknown nonlinearity.
   * @param inputSize - Features of each step's input.
   * @param hiddenSize - Features of the state.
   */
  constructor(inputSize: number, hiddenSize: number, options: RnnOptions = {}) {
    const nonlinearity = options.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu')
      throw new Error(`RNN: nonlinearity must be 'tanh' or 'relu', got ${String(nonlinearity)}`);
    super('RNN', nonlinearity, inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }

  /** [output, hN] of x from h0 ([numLayers·D, N, hiddenSize]; zeros when omitted). */
  forward(x: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const { output, h } = this.run(x, h0, null);
    return [output, h];
  }
}

/**
 * A long short-term memory network (torch.nn.LSTM). Per step, g = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ
 * + b_hh splits into the gates i, f, g, o (torch's order): c_t = σ(f)⊙c_{t−1} + σ(i)⊙tanh(g),
 * h_t = σ(o)⊙tanh(c_t). Shapes and options as nn.RNN; forward takes and returns the states as
 * a pair [h, c], each [numLayers·D, N, hiddenSize].
 *
 * @example
 * ```ts
 * const lstm = new nn.LSTM(10, 20, { numLayers: 2, bidirectional: true, batchFirst: true });
 * const [output, [hN, cN]] = lstm.forward(randn([3, 5, 10]));   // output [3, 5, 40], hN and cN [4, 3, 20]
 * ```
 */
export class LSTM extends Recurrent<[Tensor, [Tensor, Tensor]]> {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer: LayerEntry<'LSTM', typeof recurrentFields, LSTM> = {
    type: 'LSTM',
    fields: recurrentFields,
    describe: describeRecurrent,
    build: ({ inputSize, hiddenSize, ...o }, dtype) => new LSTM(inputSize, hiddenSize, { ...o, dtype }),
    parameters: (s) => recurrentParameters(s, 'lstm'),
    explain: (s, ctx) => explainRecurrent('lstm', s, ctx),
    ...recurrentEntryParts<LSTM>('LSTM', () => 'lstm'),
  };

  /**
   * An LSTM of inputSize → hiddenSize; throws for non-positive sizes or a dropout outside [0, 1).
   * @param inputSize - Features of each step's input.
   * @param hiddenSize - Features of the states h and c.
   */
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('LSTM', 'lstm', inputSize, hiddenSize, options);
  }

  /** [output, [hN, cN]] of x from the states [h0, c0] (zeros when omitted). */
  forward(x: Tensor, state: readonly [Tensor, Tensor] | null = null): [Tensor, [Tensor, Tensor]] {
    if (state !== null && (!Array.isArray(state) || state.length !== 2))
      throw new Error(`${this.label()}: the initial state must be a pair [h0, c0]`);
    const { output, h, c } = this.run(x, state?.[0] ?? null, state?.[1] ?? null);
    return [output, [h, c!]];
  }
}

/**
 * A gated recurrent unit network (torch.nn.GRU). Per step, with X = x_t·W_ihᵀ + b_ih and
 * H = h_{t−1}·W_hhᵀ + b_hh split into r, z, n (torch's order): r = σ(X_r + H_r), z = σ(X_z + H_z),
 * n = tanh(X_n + r⊙H_n), h_t = (1 − z)⊙n + z⊙h_{t−1}. Shapes and options as nn.RNN.
 *
 * @example
 * ```ts
 * const gru = new nn.GRU(10, 20);
 * const [output, hN] = gru.forward(randn([5, 3, 10]));   // output [5, 3, 20], hN [1, 3, 20]
 * ```
 */
export class GRU extends Recurrent<[Tensor, Tensor]> {
  /** The layer-table entry (entry.ts). @internal */
  static readonly layer: LayerEntry<'GRU', typeof recurrentFields, GRU> = {
    type: 'GRU',
    fields: recurrentFields,
    describe: describeRecurrent,
    build: ({ inputSize, hiddenSize, ...o }, dtype) => new GRU(inputSize, hiddenSize, { ...o, dtype }),
    parameters: (s) => recurrentParameters(s, 'gru'),
    explain: (s, ctx) => explainRecurrent('gru', s, ctx),
    ...recurrentEntryParts<GRU>('GRU', () => 'gru'),
  };

  /**
   * A GRU of inputSize → hiddenSize; throws for non-positive sizes or a dropout outside [0, 1).
   * @param inputSize - Features of each step's input.
   * @param hiddenSize - Features of the state.
   */
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('GRU', 'gru', inputSize, hiddenSize, options);
  }

  /** [output, hN] of x from h0 ([numLayers·D, N, hiddenSize]; zeros when omitted). */
  forward(x: Tensor, h0: Tensor | null = null): [Tensor, Tensor] {
    const { output, h } = this.run(x, h0, null);
    return [output, h];
  }
}
