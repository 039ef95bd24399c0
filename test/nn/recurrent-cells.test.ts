// nn.RNNCell, nn.LSTMCell and nn.GRUCell against torch's cells with the same weights
// (test/fixtures/recurrent.json's cells, from scripts/make_torch_recurrent_fixtures.py): the new
// state and the gradients of the input, the state and every parameter, in float64 and float32 on
// every backend; float64 gradcheck; a cell stepped by hand equals the sequence module; errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  gradcheck,
  listBackends,
  manualSeed,
  nn,
  randn,
  setBackend,
  stack,
  tensor,
  type DType,
  type Tensor,
} from '../../src/index.js';
import { assertClose, fixture, TOL } from '../helpers/compare.js';

interface Values {
  shape: number[];
  values: number[];
}
interface CellCase {
  name: string;
  type: 'RNNCell' | 'LSTMCell' | 'GRUCell';
  options: nn.RnnCellOptions & { inputSize: number; hiddenSize: number };
  input: Values;
  initial: Values[];
  final: Values[];
  upstream: number[][];
  inputGrad: number[];
  initialGrads: number[][];
  params: Record<string, Values & { grad: number[] }>;
}

const { cells } = fixture<never>('recurrent.json') as unknown as { cells: CellCase[] };

type AnyCell = nn.RNNCell | nn.LSTMCell | nn.GRUCell;

function build(c: CellCase, dtype: DType): AnyCell {
  const { inputSize, hiddenSize, ...options } = c.options;
  const o = { ...options, dtype };
  const m =
    c.type === 'LSTMCell'
      ? new nn.LSTMCell(inputSize, hiddenSize, o)
      : c.type === 'GRUCell'
        ? new nn.GRUCell(inputSize, hiddenSize, o)
        : new nn.RNNCell(inputSize, hiddenSize, o);
  m.loadStateDict(
    Object.fromEntries(Object.entries(c.params).map(([k, p]) => [k, tensor(p.values, { shape: p.shape, dtype })])),
  );
  return m;
}

function stepOf(m: AnyCell, x: Tensor, initial: Tensor[]): Tensor[] {
  if (m instanceof nn.LSTMCell) return m.forward(x, initial.length ? [initial[0], initial[1]] : null);
  return [m.forward(x, initial[0] ?? null)];
}

for (const backend of listBackends()) {
  for (const dtype of ['float64', 'float32'] as const) {
    test(`RNNCell, LSTMCell and GRUCell match torch's cells with the same weights (${backend}, ${dtype})`, () => {
      setBackend(backend);
      try {
        for (const c of cells) {
          const m = build(c, dtype);
          const leaf = (v: Values) => tensor(v.values, { shape: v.shape, dtype, requiresGrad: true });
          const x = leaf(c.input);
          const initial = c.initial.map(leaf);
          const outs = stepOf(m, x, initial);
          c.final.forEach((e, i) => {
            assert.deepEqual([...outs[i].shape], e.shape, `${c.name}: shape of result ${i}`);
            assertClose(outs[i].data, e.values, TOL[dtype], `${c.name}: result ${i}`);
          });
          outs
            .map((t, i) => t.mul(tensor(c.upstream[i], { shape: t.shape, dtype })).sum())
            .reduce((a, b) => a.add(b))
            .backward();
          assertClose(x.grad!.data, c.inputGrad, TOL[dtype], `${c.name}: input grad`);
          initial.forEach((t, i) =>
            assertClose(t.grad!.data, c.initialGrads[i], TOL[dtype], `${c.name}: grad of state ${i}`),
          );
          const own = m.stateDict();
          assert.deepEqual(Object.keys(own), Object.keys(c.params), `${c.name}: torch's parameter names and order`);
          for (const [k, p] of Object.entries(c.params))
            assertClose(own[k].grad!.data, p.grad, TOL[dtype], `${c.name}: ${k} grad`);
        }
      } finally {
        setBackend('js');
      }
    });
  }
}

test('float64 gradcheck through the cells', () => {
  manualSeed(8);
  const o = { dtype: 'float64' } as const;
  const x = randn([2, 3], o);
  const h = randn([2, 4], o);
  const lstm = new nn.LSTMCell(3, 4, o);
  assert.ok(gradcheck((a, b, c) => lstm.forward(a, [b, c])[1], [x, h, randn([2, 4], o)]).ok);
  const gru = new nn.GRUCell(3, 4, o);
  assert.ok(gradcheck((a, b) => gru.forward(a, b), [x, h]).ok);
  const rnn = new nn.RNNCell(3, 4, { ...o, nonlinearity: 'relu' });
  assert.ok(gradcheck((a, b) => rnn.forward(a, b), [x, h]).ok);
});

test("an LSTMCell stepped over a sequence gives nn.LSTM's output with the same weights", () => {
  manualSeed(9);
  const lstm = new nn.LSTM(3, 4);
  const cell = new nn.LSTMCell(3, 4);
  const w = lstm.stateDict();
  cell.loadStateDict({
    weight_ih: w.weight_ih_l0,
    weight_hh: w.weight_hh_l0,
    bias_ih: w.bias_ih_l0,
    bias_hh: w.bias_hh_l0,
  });
  const x = randn([5, 2, 3]);
  let state: [Tensor, Tensor] | null = null;
  const hs: Tensor[] = [];
  for (let t = 0; t < 5; t++) {
    state = cell.forward(x.narrow(0, t, 1).reshape([2, 3]), state);
    hs.push(state[0]);
  }
  assertClose(stack(hs, 0).data, lstm.forward(x)[0].data, 1e-6, 'output');
});

test('cells name themselves and the shapes in errors', () => {
  const cell = new nn.GRUCell(3, 4);
  assert.throws(
    () => cell.forward(randn([2, 5])),
    /^Error: GRUCell\(3→4\): input must be \[batch, 3\] or \[3\], got \[2,5\]$/,
  );
  assert.throws(
    () => cell.forward(randn([2, 3]), randn([3, 4])),
    /GRUCell\(3→4\): h has shape \[3,4\], expected \[2,4\]/,
  );
  const lstm = new nn.LSTMCell(3, 4);
  assert.throws(
    () => lstm.forward(randn([3]), [randn([4]), randn([2, 4])]),
    /LSTMCell\(3→4\): c has shape \[2,4\], expected \[4\]/,
  );
  assert.throws(() => new nn.RNNCell(0, 4), /RNNCell: inputSize must be a positive integer, got 0/);
});
