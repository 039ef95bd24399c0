// nn.RNN, nn.LSTM and nn.GRU against torch's modules with the same weights
// (test/fixtures/recurrent.json, from scripts/make_torch_recurrent_fixtures.py): outputs, final
// states and the gradients of the input, the initial states and every parameter, in float64 and
// float32, on every backend; float64 gradcheck; a torch state dict in safetensors; the layer
// table (model files, Sequential, explain; ONNX export is checked with every layer in
// test/io/onnx.test.ts); errors that name the module and shapes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  gradcheck,
  listBackends,
  manualSeed,
  nn,
  noGrad,
  randn,
  setBackend,
  tensor,
  type DType,
  type Tensor,
} from '../../src/index.js';
import {
  decodeModel,
  decodeSafetensors,
  describeModel,
  encodeModel,
  load,
  type ModelSpec,
} from '../../src/io/index.js';
import { specParameters } from '../../src/io/architecture.js';
import { LAYERS } from '../../src/nn/layers/table.js';
import { assertClose, fixture, TOL } from '../helpers/compare.js';
import { FIXTURES } from '../io/fixtures.js';

interface Values {
  shape: number[];
  values: number[];
}
interface Case {
  name: string;
  type: 'RNN' | 'LSTM' | 'GRU';
  options: nn.RnnOptions & { inputSize: number; hiddenSize: number };
  input: Values;
  initial: Values[];
  output: Values;
  final: Values[];
  upstream: number[][];
  inputGrad: number[];
  initialGrads: number[][];
  params: Record<string, Values & { grad: number[] }>;
}

const { cases } = fixture<Case>('recurrent.json');

type AnyRecurrent = nn.RNN | nn.LSTM | nn.GRU;

function build(c: Case, dtype: DType): AnyRecurrent {
  const { inputSize, hiddenSize, ...options } = c.options;
  const o = { ...options, dtype };
  const m =
    c.type === 'LSTM'
      ? new nn.LSTM(inputSize, hiddenSize, o)
      : c.type === 'GRU'
        ? new nn.GRU(inputSize, hiddenSize, o)
        : new nn.RNN(inputSize, hiddenSize, o);
  m.loadStateDict(
    Object.fromEntries(Object.entries(c.params).map(([k, p]) => [k, tensor(p.values, { shape: p.shape, dtype })])),
  );
  return m;
}

/** [output, ...final states] of a module on x from the initial states (none: zeros). */
function run(m: AnyRecurrent, x: Tensor, initial: Tensor[]): Tensor[] {
  if (m instanceof nn.LSTM) {
    const [y, [h, c]] = m.forward(x, initial.length ? [initial[0], initial[1]] : null);
    return [y, h, c];
  }
  return m.forward(x, initial[0] ?? null);
}

for (const backend of listBackends()) {
  for (const dtype of ['float64', 'float32'] as const) {
    test(`RNN, LSTM and GRU match torch's modules with the same weights (${backend}, ${dtype})`, () => {
      setBackend(backend);
      try {
        for (const c of cases) {
          const m = build(c, dtype);
          const leaf = (v: Values) => tensor(v.values, { shape: v.shape, dtype, requiresGrad: true });
          const x = leaf(c.input);
          const initial = c.initial.map(leaf);
          const outs = run(m, x, initial);
          [c.output, ...c.final].forEach((e, i) => {
            assert.deepEqual([...outs[i].shape], e.shape, `${c.name}: shape of result ${i}`);
            assertClose(outs[i].data, e.values, TOL[dtype], `${c.name}: result ${i}`);
          });
          outs
            .map((t, i) => t.mul(tensor(c.upstream[i], { shape: t.shape, dtype })).sum())
            .reduce((a, b) => a.add(b))
            .backward();
          assertClose(x.grad!.data, c.inputGrad, TOL[dtype], `${c.name}: input grad`);
          initial.forEach((t, i) =>
            assertClose(t.grad!.data, c.initialGrads[i], TOL[dtype], `${c.name}: grad of initial state ${i}`),
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

test('float64 gradcheck through a bidirectional 2-layer LSTM and GRU, with initial states, and an RNN (relu)', () => {
  manualSeed(31);
  const o = { numLayers: 2, bidirectional: true, dtype: 'float64' } as const;
  const lstm = new nn.LSTM(3, 2, { ...o, batchFirst: true });
  const s = () => randn([4, 2, 2], { dtype: 'float64' });
  assert.ok(
    gradcheck(
      (x, h, c) => lstm.forward(x, [h, c])[0].add(lstm.forward(x, [h, c])[1][1].sum()),
      [randn([2, 3, 3], { dtype: 'float64' }), s(), s()],
    ).ok,
  );
  const gru = new nn.GRU(3, 2, o);
  assert.ok(gradcheck((x, h) => gru.forward(x, h)[1], [randn([3, 2, 3], { dtype: 'float64' }), s()]).ok);
  const rnn = new nn.RNN(3, 2, { nonlinearity: 'relu', dtype: 'float64' });
  assert.ok(gradcheck((x) => rnn.forward(x)[0], [randn([3, 2, 3], { dtype: 'float64' })]).ok);
});

test("torch's initialisation: every parameter within ±1/√hiddenSize, and not constant", () => {
  manualSeed(1);
  const m = new nn.GRU(5, 16, { numLayers: 2 });
  for (const [name, p] of m.namedParameters()) {
    const v = [...p.data];
    assert.ok(
      v.every((a) => Math.abs(a) <= 0.25),
      name,
    );
    assert.ok(Math.max(...v) - Math.min(...v) > 0.2, `${name} spreads over the range`);
  }
});

test("a torch nn.Sequential(nn.LSTM) state dict in safetensors loads with layout torch and gives torch's output", () => {
  const c = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'torch_lstm_f32.json'), 'utf8')) as {
    architecture: ModelSpec;
    input: number[][][];
    output: number[][][];
  };
  const file = path.join(FIXTURES, 'torch_lstm_f32.safetensors');
  const { model } = load(file, { layout: 'torch', architecture: c.architecture });
  const expected = tensor(c.output);
  assertClose(noGrad(() => model.forward(tensor(c.input))).data, expected.data, 1e-5, 'model file');
  // The same tensors straight into a module: torch's names are the module's own.
  const lstm = new nn.LSTM(4, 3, { numLayers: 2, bidirectional: true, batchFirst: true });
  const { tensors } = decodeSafetensors(fs.readFileSync(file), file);
  lstm.loadStateDict(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k.slice(2), t])));
  assertClose(noGrad(() => lstm.forward(tensor(c.input))[0]).data, expected.data, 1e-5, 'loadStateDict');
});

test("in a Sequential a recurrent layer passes on its output sequence; model files rebuild it with torch's names", () => {
  manualSeed(3);
  const model = new nn.Sequential(
    new nn.GRU(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true }),
    new nn.Linear(8, 2),
  );
  const x = randn([2, 5, 3]);
  const y = model.forward(x);
  assert.deepEqual([...y.shape], [2, 5, 2]);
  const spec = describeModel(model);
  assert.deepEqual(spec.layers[0], {
    type: 'GRU',
    inputSize: 3,
    hiddenSize: 4,
    numLayers: 2,
    bias: true,
    batchFirst: true,
    dropout: 0,
    bidirectional: true,
  });
  assert.deepEqual(
    specParameters(spec)
      .slice(0, 4)
      .map((p) => `${p.name} [${p.shape.join(',')}] ${p.torch}`),
    ['0.weight_ih_l0 [12,3] same', '0.weight_hh_l0 [12,4] same', '0.bias_ih_l0 [12] same', '0.bias_hh_l0 [12] same'],
  );
  assert.deepEqual(
    specParameters(spec).map((p) => p.name),
    Object.keys(model.stateDict()),
  );
  const copy = decodeModel(encodeModel(model)).model;
  assert.deepEqual([...copy.forward(x).data], [...y.data]);
  const rnn = new nn.Sequential(new nn.RNN(3, 2, { nonlinearity: 'relu', bias: false }));
  assert.equal(decodeModel(encodeModel(rnn)).model.layers[0].label(), 'RNN(3→2)');
  assert.equal(describeModel(rnn).layers[0].type, 'RNN');
});

test('explain prints the gates per step with shapes', () => {
  const e = LAYERS.LSTM.explain(
    { inputSize: 10, hiddenSize: 20, numLayers: 2, bias: true, batchFirst: true, dropout: 0, bidirectional: true },
    { batch: 32, width: 10, shape: [7, 10], inputGrad: false },
  );
  assert.equal(e.parameters?.count, 2 * (80 * 10 + 80 * 20 + 160) + 2 * (80 * 40 + 80 * 20 + 160));
  assert.equal(e.width, 40);
  assert.deepEqual(e.shape, [7, 40]);
  assert.match(e.lines.join('\n'), /\[7·32×in\]·\[in×80\] → \[7·32×80\]/);
  assert.match(e.lines.join('\n'), /c_t = f⊙c_\{t−1\} \+ i⊙ĝ/);
});

test('errors name the module and the shapes', () => {
  const lstm = new nn.LSTM(10, 20, { numLayers: 2 });
  assert.throws(
    () => lstm.forward(randn([5, 3, 7])),
    /^Error: LSTM\(10→20, 2 layers\): input has 7 features, expected inputSize 10 \(input shape \[5,3,7\]\)$/,
  );
  assert.throws(
    () => lstm.forward(randn([5, 3, 10]), [randn([1, 3, 20]), randn([2, 3, 20])]),
    /LSTM\(10→20, 2 layers\): h0 has shape \[1,3,20\], expected \[2,3,20\] \(numLayers·directions, batch, hiddenSize\)/,
  );
  assert.throws(
    () => lstm.forward(randn([5, 3, 10]), [randn([2, 3, 20]), randn([2, 4, 20])]),
    /c0 has shape \[2,4,20\], expected \[2,3,20\]/,
  );
  const gru = new nn.GRU(4, 3, { batchFirst: true, bidirectional: true });
  assert.deepEqual([...gru.forward(randn([5, 4]))[0].shape], [5, 6], 'unbatched [time, features]');
  assert.throws(
    () => gru.forward(randn([2, 5, 3])),
    /GRU\(4→3, bidirectional, batchFirst\): input has 3 features, expected inputSize 4 \(input shape \[2,5,3\]\)/,
  );
  assert.throws(
    () => gru.forward(randn([4])),
    /GRU\(4→3, bidirectional, batchFirst\): input must be \[batch, time, 4\] or unbatched \[time, 4\], got \[4\]/,
  );
  assert.throws(() => gru.forward(randn([2, 5, 4]), randn([1, 2, 3])), /h0 has shape \[1,2,3\], expected \[2,2,3\]/);
  assert.throws(
    () => gru.forward(randn([2, 5, 4], { dtype: 'float64' })),
    /input is float64 but the layer's weights are float32/,
  );
  assert.throws(() => new nn.RNN(3, 0), /RNN: hiddenSize must be a positive integer, got 0/);
  assert.throws(
    () => new nn.RNN(3, 2, { nonlinearity: 'gelu' as 'tanh' }),
    /RNN: nonlinearity must be 'tanh' or 'relu', got gelu/,
  );
  assert.throws(() => new nn.GRU(3, 2, { dropout: 1 }), /GRU: dropout must be in \[0, 1\), got 1/);
});

test('dropout acts between layers in training only, and not after the last layer', () => {
  manualSeed(5);
  const m = new nn.LSTM(3, 8, { numLayers: 2, dropout: 0.5 });
  const x = randn([4, 2, 3]);
  const [a] = m.forward(x);
  const [b] = m.forward(x);
  assert.notDeepEqual([...a.data], [...b.data], 'training: a fresh mask each forward');
  m.eval();
  assert.deepEqual([...m.forward(x)[0].data], [...m.forward(x)[0].data]);
  const single = new nn.GRU(3, 4, { dropout: 0.5 });
  assert.deepEqual([...single.forward(x)[0].data], [...single.forward(x)[0].data], 'one layer: no dropout');
});
