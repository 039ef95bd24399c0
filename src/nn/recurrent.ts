// The recurrence of nn.RNN, nn.LSTM and nn.GRU (layers/recurrent.ts), composed of ops, so autograd
// gives backpropagation through time. On time-major x [T, N, F], per layer and direction, one
// product projects every step's input at once, X = x·W_ihᵀ + b_ih [T·N, G·H] (G gates of H), then
// each step adds the state's, g = X_t + h·W_hhᵀ + b_hh [N, G·H], and the cell (torch's gate order):
//   RNN   h' = tanh(g) or relu(g)
//   LSTM  i, f, ĝ, o = σ(g_i), σ(g_f), tanh(g_g), σ(g_o);   c' = f⊙c + i⊙ĝ;   h' = o⊙tanh(c')
//   GRU   r, z = σ(X_r + H_r), σ(X_z + H_z);   n = tanh(X_n + r⊙H_n);   h' = (1 − z)⊙n + z⊙h
//         (H = h·W_hhᵀ + b_hh: the state's part stays apart for n, as torch's; h' = n + z⊙(h − n))
// The reverse direction runs t = T−1 … 0 and writes its output at t; the directions' outputs,
// concatenated on the feature axis [T, N, D·H], are the next layer's input (after dropout in training).

import { zeros, type DType, type Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { cat, dropout, matmulT, split, stack } from '../ops/index.js';
import { uniform_ } from './init.js';
import { Module, Parameter } from './module.js';
import { checkParameterCount } from './layers/entry.js';

/** The cell a recurrent layer runs: an Elman RNN's tanh or relu, LSTM or GRU. */
export type CellKind = 'tanh' | 'relu' | 'lstm' | 'gru';

/** Gates per cell: the rows of W_ih and W_hh are G·hiddenSize. */
export const GATES: Readonly<Record<CellKind, number>> = { tanh: 1, relu: 1, lstm: 4, gru: 3 };

/** Options of nn.RNN, nn.LSTM and nn.GRU (torch's constructor arguments, camelCase). */
export interface RecurrentOptions {
  /** Stacked layers, each reading the previous one's output sequence (default 1). */
  numLayers?: number;
  /** Learn the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** Input and output are [batch, time, features] instead of [time, batch, features] (default false; the states stay [layers·directions, batch, hidden]). */
  batchFirst?: boolean;
  /** Dropout on every layer's output but the last, in training (default 0). */
  dropout?: number;
  /** A second direction per layer, running from the last step to the first (default false). */
  bidirectional?: boolean;
  /** The parameters' dtype (default float32). */
  dtype?: DType;
}

/** The sizes and switches of a recurrent layer, as its spec holds them. */
export interface RecurrentSizes {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly bidirectional: boolean;
}

/**
 * torch's parameter names and shapes in torch's order: per layer l and direction (the reverse one
 * suffixed _reverse), weight_ih_l{l} [G·H, in], weight_hh_l{l} [G·H, H], bias_ih_l{l}, bias_hh_l{l} [G·H].
 * Layer 0 reads inputSize features, the others D·H.
 */
export function recurrentShapes(s: RecurrentSizes, gates: number): [string, number[]][] {
  const out: [string, number[]][] = [];
  const rows = gates * s.hiddenSize;
  for (let l = 0; l < s.numLayers; l++) {
    const input = l === 0 ? s.inputSize : s.hiddenSize * (s.bidirectional ? 2 : 1);
    for (const suffix of s.bidirectional ? ['', '_reverse'] : ['']) {
      out.push([`weight_ih_l${l}${suffix}`, [rows, input]], [`weight_hh_l${l}${suffix}`, [rows, s.hiddenSize]]);
      if (s.bias) out.push([`bias_ih_l${l}${suffix}`, [rows]], [`bias_hh_l${l}${suffix}`, [rows]]);
    }
  }
  return out;
}

/** One layer and direction's weights (or a cell's), in torch's layout. */
export interface CellWeights {
  readonly ih: Tensor;
  readonly hh: Tensor;
  readonly bih: Tensor | null;
  readonly bhh: Tensor | null;
}

/**
 * One step: the state after it from the step's input projection X_t [N, G·H] and the state before
 * (h [N, H], and c for an LSTM); also the whole forward of nn.RNNCell, nn.LSTMCell and nn.GRUCell.
 */
export function step(kind: CellKind, x: Tensor, h: Tensor, c: Tensor | null, w: CellWeights): [Tensor, Tensor | null] {
  const hh = matmulT(h, w.hh, false, true);
  const gh = w.bhh ? hh.add(w.bhh) : hh;
  const size = h.shape[1];
  switch (kind) {
    case 'tanh':
      return [x.add(gh).tanh(), null];
    case 'relu':
      return [x.add(gh).relu(), null];
    case 'lstm': {
      const [i, f, g, o] = split(x.add(gh), size, 1);
      const cNext = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
      return [o.sigmoid().mul(cNext.tanh()), cNext];
    }
    case 'gru': {
      const [xr, xz, xn] = split(x, size, 1);
      const [hr, hz, hn] = split(gh, size, 1);
      const r = xr.add(hr).sigmoid();
      const z = xz.add(hz).sigmoid();
      const n = xn.add(r.mul(hn)).tanh();
      return [n.add(z.mul(h.sub(n))), null];
    }
  }
}

/**
 * The base of nn.RNN, nn.LSTM and nn.GRU: torch's parameters (fields named as torch names them, so
 * stateDict and model files carry torch's names), its initialisation U(−1/√H, 1/√H), and the
 * recurrence over a sequence. Subclasses give forward its torch signature.
 */
export abstract class Recurrent<Out> extends Module<Out> {
  /** Features of each step's input. */
  readonly inputSize: number;
  /** Features of the state h (and c). */
  readonly hiddenSize: number;
  /** Stacked layers. */
  readonly numLayers: number;
  /** Whether the layer has biases. */
  readonly bias: boolean;
  /** Whether input and output are [batch, time, features]. */
  readonly batchFirst: boolean;
  /** Dropout between layers in training. */
  readonly dropout: number;
  /** Whether each layer also runs backwards in time. */
  readonly bidirectional: boolean;
  readonly #type: string;
  readonly #kind: CellKind;
  /** The weights of layer l, direction d at l·D + d. */
  readonly #weights: CellWeights[] = [];

  protected constructor(type: string, kind: CellKind, inputSize: number, hiddenSize: number, o: RecurrentOptions) {
    super();
    this.#type = type;
    this.#kind = kind;
    for (const [name, v] of [
      ['inputSize', inputSize],
      ['hiddenSize', hiddenSize],
      ['numLayers', o.numLayers ?? 1],
    ] as const) {
      if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`${type}: ${name} must be a positive integer, got ${v}`);
    }
    const p = o.dropout ?? 0;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) throw new Error(`${type}: dropout must be in [0, 1), got ${p}`);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = o.numLayers ?? 1;
    this.bias = o.bias ?? true;
    this.batchFirst = o.batchFirst ?? false;
    this.dropout = p;
    this.bidirectional = o.bidirectional ?? false;
    const shapes = recurrentShapes(this, GATES[kind]);
    checkParameterCount(
      `${this.label()}`,
      shapes.reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0),
    );
    const dtype = o.dtype ?? 'float32';
    const k = 1 / Math.sqrt(hiddenSize);
    const made = new Map<string, Parameter>();
    const fields = this as unknown as Record<string, Parameter>;
    for (const [name, shape] of shapes) {
      const t = new Parameter(uniform_(zeros(shape, { dtype }), -k, k));
      made.set(name, t);
      fields[name] = t;
    }
    for (let l = 0; l < this.numLayers; l++) {
      for (const suffix of this.bidirectional ? ['', '_reverse'] : ['']) {
        const get = (name: string) => made.get(`${name}_l${l}${suffix}`) ?? null;
        this.#weights.push({ ih: get('weight_ih')!, hh: get('weight_hh')!, bih: get('bias_ih'), bhh: get('bias_hh') });
      }
    }
  }

  /** The number of directions, D. */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /**
   * The output sequence and the last states of x ([T, N, inputSize], [N, T, inputSize] with
   * batchFirst, or unbatched [T, inputSize]) from the initial states h0 (and c0 for an LSTM),
   * [L·D, N, H] ([L·D, H] unbatched), zeros when null. @internal
   */
  protected run(x: Tensor, h0: Tensor | null, c0: Tensor | null): { output: Tensor; h: Tensor; c: Tensor | null } {
    const [L, D, H] = [this.numLayers, this.directions, this.hiddenSize];
    const batched = x.rank === 3;
    if (x.rank !== 2 && x.rank !== 3) {
      const axes = this.batchFirst ? 'batch, time' : 'time, batch';
      throw new Error(
        `${this.label()}: input must be [${axes}, ${this.inputSize}] or unbatched [time, ${this.inputSize}], got ${shapeStr(x.shape)}`,
      );
    }
    if (x.shape[x.rank - 1] !== this.inputSize)
      throw new Error(
        `${this.label()}: input has ${x.shape[x.rank - 1]} features, expected inputSize ${this.inputSize} (input shape ${shapeStr(x.shape)})`,
      );
    if (x.size === 0) throw new Error(`${this.label()}: the input ${shapeStr(x.shape)} is empty`);
    const dtype = this.#weights[0].ih.dtype;
    if (x.dtype !== dtype) throw new Error(`${this.label()}: input is ${x.dtype} but the layer's weights are ${dtype}`);
    const seq = !batched ? x.reshape([x.shape[0], 1, this.inputSize]) : this.batchFirst ? x.transpose(0, 1) : x;
    const [T, N] = seq.shape;
    const state = (s: Tensor | null, name: string): Tensor => {
      if (s === null) return zeros([L * D, N, H], { dtype });
      const expected = batched ? [L * D, N, H] : [L * D, H];
      if (s.shape.join() !== expected.join()) {
        throw new Error(
          `${this.label()}: ${name} has shape ${shapeStr(s.shape)}, expected ${shapeStr(expected)} (numLayers·directions${batched ? ', batch' : ''}, hiddenSize)`,
        );
      }
      if (s.dtype !== dtype)
        throw new Error(`${this.label()}: ${name} is ${s.dtype} but the layer's weights are ${dtype}`);
      return batched ? s : s.reshape([L * D, 1, H]);
    };
    const h0s = state(h0, 'h0');
    const c0s = this.#kind === 'lstm' ? state(c0, 'c0') : null;
    const at = (s: Tensor, k: number) => s.narrow(0, k, 1).reshape([N, H]);
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    let input = seq;
    for (let l = 0; l < L; l++) {
      const outputs: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const w = this.#weights[l * D + d];
        const features = input.shape[2];
        const projected = matmulT(input.reshape([T * N, features]), w.ih, false, true);
        const xs = (w.bih ? projected.add(w.bih) : projected).reshape([T, N, w.ih.shape[0]]);
        let h = at(h0s, l * D + d);
        let c = c0s && at(c0s, l * D + d);
        const out = new Array<Tensor>(T);
        for (let k = 0; k < T; k++) {
          const t = d === 0 ? k : T - 1 - k;
          [h, c] = step(this.#kind, xs.narrow(0, t, 1).reshape([N, xs.shape[2]]), h, c, w);
          out[t] = h;
        }
        outputs.push(stack(out, 0));
        hs.push(h);
        if (c) cs.push(c);
      }
      input = D === 1 ? outputs[0] : cat(outputs, 2);
      if (l < L - 1 && this.dropout > 0) input = dropout(input, this.dropout, this.training);
    }
    const unbatch = (t: Tensor) => (batched ? t : t.reshape([t.shape[0], t.shape[2]]));
    const output = !batched ? unbatch(input) : this.batchFirst ? input.transpose(0, 1) : input;
    return { output, h: unbatch(stack(hs, 0)), c: cs.length ? unbatch(stack(cs, 0)) : null };
  }

  override label(): string {
    const extras = [
      this.numLayers > 1 ? `${this.numLayers} layers` : '',
      this.bidirectional ? 'bidirectional' : '',
      this.batchFirst ? 'batchFirst' : '',
    ].filter(Boolean);
    return `${this.#type}(${this.inputSize}→${this.hiddenSize}${extras.map((e) => `, ${e}`).join('')})`;
  }
}
