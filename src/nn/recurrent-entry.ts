// The parts of the layer-table entries of nn.RNN, nn.LSTM and nn.GRU (layers/recurrent.ts) that
// the three share: spec fields, parameters in torch's names and layout, the Sequential output,
// the explain lines (each step's gates are the seeds' Linear twice, on x_t and on h_{t−1}), and the
// ONNX nodes: one RNN, LSTM or GRU operator per layer (opset 7's, unchanged in 13), whose gates
// come in another order than torch's (LSTM i, o, f, c; GRU z, r, h) and whose output
// Y [T, D, N, H] is brought to torch's [T, N, D·H] (or [N, T, D·H]) by a Transpose and a Reshape. In a float64
// graph they run in float32 between Casts (onnxruntime has no double kernel for them), as Erf does.

import { tensor, type Tensor } from '../tensor.js';
import { GATES, recurrentShapes, type CellKind, type Recurrent, type RecurrentSizes } from './recurrent.js';
import {
  field,
  type ExplainContext,
  type Explanation,
  type LayerEntry,
  type OnnxEmitter,
  type ParameterDecl,
} from './layers/entry.js';

export const recurrentFields = {
  inputSize: field.positiveInt,
  hiddenSize: field.positiveInt,
  numLayers: field.positiveInt,
  bias: field.boolean,
  batchFirst: field.boolean,
  dropout: field.probability,
  bidirectional: field.boolean,
};

type RecurrentSpec = RecurrentSizes & { readonly batchFirst: boolean; readonly dropout: number };

/** The spec fields a recurrent layer keeps. */
export function describeRecurrent(m: Recurrent<unknown>): RecurrentSpec {
  const { inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional } = m;
  return { inputSize, hiddenSize, numLayers, bias, batchFirst, dropout, bidirectional };
}

/** The parameters, in torch's names, order and layout (W_ih [G·H, in] as torch stores it). */
export function recurrentParameters(s: RecurrentSizes, kind: CellKind): ParameterDecl[] {
  return recurrentShapes(s, GATES[kind]).map(([name, shape]) => ({ name, shape, torch: 'same' }));
}

const CELL: Readonly<Record<CellKind, string>> = {
  tanh: 'h_t = tanh(g)',
  relu: 'h_t = relu(g)',
  lstm: 'i, f, ĝ, o = σ(g_i), σ(g_f), tanh(g_g), σ(g_o); c_t = f⊙c_{t−1} + i⊙ĝ; h_t = o⊙tanh(c_t)',
  gru: 'r, z = σ(g_r), σ(g_z); n = tanh(X_n + r⊙(h_{t−1}·W_hnᵀ + b_hn)); h_t = (1 − z)⊙n + z⊙h_{t−1}',
};

/** The explain lines of a recurrent layer; the time axis is read off one sample's shape when known. */
export function explainRecurrent(kind: CellKind, s: RecurrentSpec, ctx: ExplainContext): Explanation {
  const [n, H, D] = [ctx.batch, s.hiddenSize, s.bidirectional ? 2 : 1];
  const G = GATES[kind] * H;
  const steps = ctx.shape?.length === 2 && s.batchFirst ? ctx.shape[0] : null;
  const T = steps ?? 'T';
  const params = recurrentParameters(s, kind);
  const count = params.reduce((a, p) => a + p.shape.reduce((x, y) => x * y, 1), 0);
  const lines = [
    `  forward   per layer l and direction (${D}), input x [${T}×${n}×in], in = ${s.inputSize} for l = 0, else ${D * H}:`,
    `            X = x·W_ihᵀ + b_ih, all steps at once : [${T}·${n}×in]·[in×${G}] → [${T}·${n}×${G}]`,
    `            g = X_t + h_{t−1}·W_hhᵀ + b_hh, per step : [${n}×${H}]·[${H}×${G}] → [${n}×${G}]`,
    `            ${CELL[kind]} : [${n}×${H}]`,
    `            output [${T}×${n}×${D * H}] (directions side by side${s.numLayers > 1 && s.dropout > 0 ? `, dropout ${s.dropout} between layers` : ''})`,
    `  backward  through time, t = ${T} … 1: dL/dh_{t−1} = dL/dg·W_hh (+ the cell's own path), dL/dW_hh = Σ_t dL/dgᵀ·h_{t−1}`,
    `            dL/dW_ih = dL/dXᵀ·x, dL/db = Σ dL/dX${ctx.inputGrad ? ', dL/dx = dL/dX·W_ih' : ''}`,
  ];
  const flops =
    steps === null
      ? undefined
      : (() => {
          let forward = 0;
          for (let l = 0; l < s.numLayers; l++) {
            const inputs = l === 0 ? s.inputSize : D * H;
            forward += D * 2 * steps * n * (inputs + H) * G;
          }
          return { forward, backward: 2 * forward };
        })();
  return {
    parameters: { count, detail: `${params.length} tensors: ${params.map((p) => p.name).join(', ')}` },
    lines,
    ...(flops ? { flops } : {}),
    width: D * H,
    ...(ctx.shape ? { shape: [...ctx.shape.slice(0, -1), D * H] } : {}),
  };
}

// ONNX's gates as blocks of torch's rows: LSTM i, o, f, c are torch's blocks i, f, g, o at 0, 3, 1, 2;
// GRU z, r, h are torch's r, z, n at 1, 0, 2.
const ONNX_BLOCKS: Readonly<Record<CellKind, readonly number[]>> = {
  tanh: [0],
  relu: [0],
  lstm: [0, 3, 1, 2],
  gru: [1, 0, 2],
};

/** The layer's ONNX nodes on time-major or batch-first x [·, ·, inputSize], in eval mode (no dropout). */
function onnxRecurrent(type: string, kind: CellKind, g: OnnxEmitter, m: Recurrent<unknown>, x: string): string {
  const [H, D] = [m.hiddenSize, m.directions];
  const state = m.stateDict();
  const blocks = ONNX_BLOCKS[kind];
  // A parameter's values with its row blocks of H rows in ONNX's gate order.
  const reordered = (name: string): number[] => {
    const t = state[name];
    const block = (t.size / blocks.length) | 0;
    return blocks.flatMap((b) => Array.from(t.data.subarray(b * block, (b + 1) * block)));
  };
  const suffixes = D === 2 ? ['', '_reverse'] : [''];
  const stacked = (names: (suffix: string) => string[], shape: number[]) =>
    tensor(
      suffixes.flatMap((sfx) => names(sfx).flatMap(reordered)),
      { shape, dtype: g.dtype },
    );
  const rows = GATES[kind] * H;
  const perm = (ints: number[]) => ({ perm: { ints } });
  const double = g.dtype === 'float64';
  const single = (v: string) => (double ? g.cast(v, 'float32') : v);
  const input = single(x);
  let seq = m.batchFirst ? g.node('Transpose', [input], perm([1, 0, 2])) : input;
  for (let l = 0; l < m.numLayers; l++) {
    const features = l === 0 ? m.inputSize : D * H;
    const weight = (name: string, names: (suffix: string) => string[], shape: number[]) =>
      single(g.tensor(`${name}_l${l}`, stacked(names, shape)));
    const inputs = [
      seq,
      weight('W', (sfx) => [`weight_ih_l${l}${sfx}`], [D, rows, features]),
      weight('R', (sfx) => [`weight_hh_l${l}${sfx}`], [D, rows, H]),
    ];
    if (m.bias) inputs.push(weight('B', (sfx) => [`bias_ih_l${l}${sfx}`, `bias_hh_l${l}${sfx}`], [D, 2 * rows]));
    const y = g.node(type, inputs, {
      hidden_size: { int: H },
      direction: { string: D === 2 ? 'bidirectional' : 'forward' },
      ...(kind === 'relu' ? { activations: { strings: suffixes.map(() => 'Relu') } } : {}),
      // torch's n = tanh(X_n + r⊙(h·W_hnᵀ + b_hn)): the reset gate after the product.
      ...(kind === 'gru' ? { linear_before_reset: { int: 1 } } : {}),
    });
    // Y [T, D, N, H] → [T, N, D·H]; after the last layer, with batchFirst, → [N, T, D·H] at once.
    const order = l === m.numLayers - 1 && m.batchFirst ? [2, 0, 1, 3] : [0, 2, 1, 3];
    seq = g.node('Reshape', [g.node('Transpose', [y], perm(order)), g.int64s(`shape_l${l}`, [0, 0, -1])]);
  }
  return double ? g.cast(seq, 'float64') : seq;
}

/** The entry parts that do not depend on the layer's type and spec beyond the shared fields. */
export function recurrentEntryParts<M extends Recurrent<[Tensor, unknown]>>(
  type: string,
  kind: (m: M) => CellKind,
): Pick<LayerEntry<string, typeof recurrentFields, M>, 'onnx' | 'inSequence' | 'summary'> {
  return {
    onnx: (g, m, { input }) => onnxRecurrent(type, kind(m), g, m, input),
    // In a Sequential, the output sequence goes on (as a Keras layer with return_sequences).
    inSequence: (m, x) => m.forward(x)[0],
    summary: (s) =>
      `${type}(${s.inputSize}→${s.hiddenSize}${s.numLayers > 1 ? `, ${s.numLayers} layers` : ''}${s.bidirectional ? ', bidirectional' : ''}${s.batchFirst ? ', batchFirst' : ''}${s.bias ? '' : ', no bias'})`,
  };
}
