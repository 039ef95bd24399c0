// MultiheadAttention against torch.nn.MultiheadAttention with the same weights
// (test/fixtures/attention.json, from scripts/make_torch_attention_fixtures.py): outputs and the
// gradients of the inputs and of every parameter, in float64 and float32, on every backend;
// and the GPT's shapes, causality and errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  gradcheck,
  listBackends,
  manualSeed,
  nn,
  randn,
  setBackend,
  tensor,
  type DType,
  type Tensor,
} from '../../src/index.js';
import { decodeModel, describeModel, encodeModel } from '../../src/io/index.js';
import { specParameters } from '../../src/io/architecture.js';
import { assertClose, fixture, TOL } from '../helpers/compare.js';

interface Values {
  shape: number[];
  values: number[];
}
interface Case {
  name: string;
  embedDim: number;
  numHeads: number;
  selfAttention: boolean;
  mask: 'causal' | 'bool' | 'bool3d' | 'float' | null;
  maskValues: unknown;
  inputs: Values[];
  params: Record<string, Values & { grad: number[] }>;
  output: Values;
  upstream: number[];
  grads: number[][];
  /** torch's need_weights=True: averaged over the heads, and per head (average_attn_weights=False). */
  weights: Values;
  headWeights: Values;
}

const { cases } = fixture<Case>('attention.json');

/** torch's [rows, cols] matrix transposed to nabla's [in, out] layout. */
function transposed(p: Values): number[] {
  const [r, c] = p.shape;
  return Array.from({ length: r * c }, (_, i) => p.values[(i % r) * c + Math.floor(i / r)]);
}
/** A nabla [in, out] gradient in torch's [out, in] order. */
const untranspose = (g: ArrayLike<number>, [r, c]: number[]) =>
  Array.from({ length: r * c }, (_, i) => g[(i % r) * c + Math.floor(i / r)]);

function load(c: Case, dtype: DType): nn.MultiheadAttention {
  const m = new nn.MultiheadAttention(c.embedDim, c.numHeads, { dtype });
  m.inProj.weight.data.set(transposed(c.params.in_proj_weight));
  m.inProj.bias!.data.set(c.params.in_proj_bias.values);
  m.outProj.weight.data.set(transposed(c.params['out_proj.weight']));
  m.outProj.bias!.data.set(c.params['out_proj.bias'].values);
  for (const p of m.parameters()) p.markChanged();
  return m;
}

for (const backend of listBackends()) {
  for (const dtype of ['float64', 'float32'] as const) {
    test(`MultiheadAttention matches torch's module with the same weights (${backend}, ${dtype})`, () => {
      setBackend(backend);
      try {
        for (const c of cases) {
          const m = load(c, dtype);
          const inputs = c.inputs.map((x) => tensor(x.values, { shape: x.shape, dtype, requiresGrad: true }));
          const [q, k, v] = c.selfAttention ? [inputs[0], inputs[0], inputs[0]] : inputs;
          let options: nn.MultiheadForwardOptions = {};
          if (c.mask === 'causal') options = { isCausal: true };
          else if (c.mask === 'float')
            options = { attnMask: tensor(c.maskValues as number[], { shape: [q.shape[1], k.shape[1]], dtype }) };
          else if (c.mask) options = { attnMask: c.maskValues as boolean[][] };
          const y = m.forward(q, k, v, options);
          assert.deepEqual([...y.shape], c.output.shape, `${c.name}: shape`);
          assertClose(y.data, c.output.values, TOL[dtype], `${c.name}: output`);
          y.backward(tensor(c.upstream, { shape: c.output.shape, dtype }));
          inputs.forEach((x, i) => assertClose(x.grad!.data, c.grads[i], TOL[dtype], `${c.name}: grad of input ${i}`));
          const g = (t: Tensor) => t.grad!.data;
          assertClose(
            untranspose(g(m.inProj.weight), m.inProj.weight.shape as number[]),
            c.params.in_proj_weight.grad,
            TOL[dtype],
            `${c.name}: in_proj_weight grad`,
          );
          assertClose(g(m.inProj.bias!), c.params.in_proj_bias.grad, TOL[dtype], `${c.name}: in_proj_bias grad`);
          assertClose(
            untranspose(g(m.outProj.weight), m.outProj.weight.shape as number[]),
            c.params['out_proj.weight'].grad,
            TOL[dtype],
            `${c.name}: out_proj.weight grad`,
          );
          assertClose(g(m.outProj.bias!), c.params['out_proj.bias'].grad, TOL[dtype], `${c.name}: out_proj.bias grad`);
          const averaged = m.forwardWithWeights(q, k, v, options);
          assertClose(averaged.output.data, c.output.values, TOL[dtype], `${c.name}: output with weights`);
          assert.deepEqual([...averaged.weights.shape], c.weights.shape, `${c.name}: weights shape`);
          assertClose(averaged.weights.data, c.weights.values, TOL[dtype], `${c.name}: weights`);
          const perHead = m.forwardWithWeights(q, k, v, { ...options, averageAttnWeights: false }).weights;
          assert.deepEqual([...perHead.shape], c.headWeights.shape, `${c.name}: per-head weights shape`);
          assertClose(perHead.data, c.headWeights.values, TOL[dtype], `${c.name}: per-head weights`);
        }
      } finally {
        setBackend('js');
      }
    });
  }
}

test("MultiheadAttention's attention weights pass float64 gradcheck (causal self-attention)", () => {
  manualSeed(4);
  const m = new nn.MultiheadAttention(4, 2, { dtype: 'float64' });
  const x = randn([2, 3, 4], { dtype: 'float64' });
  assert.ok(gradcheck((t) => m.forwardWithWeights(t, t, t, { isCausal: true }).weights, [x]).ok);
});

test('MultiheadAttention rejects an embedDim its heads do not divide, and masks of the wrong shape', () => {
  assert.throws(
    () => new nn.MultiheadAttention(10, 3),
    /MultiheadAttention: embedDim 10 is not divisible by numHeads 3/,
  );
  const m = new nn.MultiheadAttention(4, 2);
  const x = tensor(new Float32Array(2 * 3 * 4), { shape: [2, 3, 4] });
  assert.throws(
    () =>
      m.forward(x, x, x, {
        attnMask: [
          [true, false],
          [false, true],
        ],
      }),
    /attnMask must be \[3, 3\] or \[4, 3, 3\], got \[2,2\]/,
  );
  assert.throws(
    () => m.forward(tensor(new Float32Array(6), { shape: [2, 3] })),
    /query must be \[batch, length, 4\], got \[2,3\]/,
  );
});

test('GPT gives [N, T, vocab] logits, and a token never changes the logits before it (causal)', () => {
  manualSeed(3);
  const gpt = new nn.GPT({ vocabSize: 11, contextLength: 8, embedDim: 16, numLayers: 2, numHeads: 4 });
  const a = gpt.forward(tensor([[1, 2, 3, 4, 5]]));
  assert.deepEqual([...a.shape], [1, 5, 11]);
  const b = gpt.forward(tensor([[1, 2, 3, 9, 0]]));
  assertClose(b.data.subarray(0, 3 * 11), a.data.subarray(0, 3 * 11), 1e-6, 'the first three positions');
  assert.ok(
    b.data.subarray(3 * 11).some((v: number, i: number) => Math.abs(v - a.data[3 * 11 + i]) > 1e-4),
    'the changed positions differ',
  );
  assert.throws(() => gpt.forward(tensor([[1, 2, 3, 4, 5, 6, 7, 8, 9]])), /9 tokens exceed the context length 8/);
  assert.throws(() => gpt.forward(tensor([[1, 11]])), /index 11 at position 1 is out of range for vocabSize 11/);
});

test("GPT's table entry declares exactly the module's parameters, and a model file rebuilds it", () => {
  for (const tiedHead of [false, true]) {
    manualSeed(4);
    const model = new nn.Sequential(
      new nn.GPT({ vocabSize: 7, contextLength: 5, embedDim: 8, numLayers: 2, numHeads: 2, tiedHead }),
    );
    const declared = specParameters(describeModel(model)).map((p) => `${p.name} ${p.shape}`);
    assert.deepEqual(
      declared,
      model.namedParameters().map(([n, p]) => `${n} ${p.shape}`),
    );
    const tokens = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const { model: again } = decodeModel(encodeModel(model));
    assertClose(
      again.forward(tokens).data,
      model.forward(tokens).data,
      1e-7,
      `tiedHead ${tiedHead}: logits after a round trip`,
    );
  }
});

test('the key/value cache gives the logits of the whole sequence, and cached generation equals generation without it', () => {
  manualSeed(5);
  const gpt = new nn.GPT({ vocabSize: 9, contextLength: 6, embedDim: 16, numLayers: 2, numHeads: 2 });
  gpt.eval();
  const whole = gpt.forward(tensor([[1, 2, 3, 4]]));
  const caches: nn.KeyValueCache[] = gpt.blocks.map(() => ({ k: null, v: null }));
  const first = gpt.forward(tensor([[1]]), { caches, position: 0 });
  const rest = gpt.forward(tensor([[2, 3, 4]]), { caches, position: 1 });
  assertClose([...first.data, ...rest.data], whole.data, 1e-5, 'one token, then three with the cache');
  // Greedy decoding past the context length (the window slides), with and without the cache.
  const generated = nn.generate(gpt, [1, 2], { maxNewTokens: 8, temperature: 0 });
  const plain = [1, 2];
  for (let i = 0; i < 8; i++) {
    const logits = gpt.forward(tensor([plain.slice(-6)]));
    const row = Array.from(logits.data.subarray(logits.size - 9));
    plain.push(row.indexOf(Math.max(...row)));
  }
  assert.deepEqual(generated, plain);
  manualSeed(7);
  const a = nn.generate(gpt, [3], { maxNewTokens: 10, temperature: 0.8, topK: 3 });
  manualSeed(7);
  assert.deepEqual(
    nn.generate(gpt, [3], { maxNewTokens: 10, temperature: 0.8, topK: 3 }),
    a,
    'a seed reproduces the sample',
  );
  assert.throws(() => nn.generate(gpt, [], {}), /generate: the prompt is empty/);
});
