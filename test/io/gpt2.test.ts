// A GPT-2 file as Hugging Face writes it (test/fixtures/gpt2-tiny.safetensors, from
// scripts/make_torch_gpt2_fixture.py: GPT-2's names with the transformer. prefix, Conv1D
// weights, the attn.bias buffers) loads into nabla's GPT and gives PyTorch's logits; a GPT's ONNX
// export gives nabla's logits in onnxruntime-node.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { load, decodeModel, encodeModel, encodeOnnx, ModelFileError } from '../../src/io/index.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/io/safetensors.js';
import { listBackends, manualSeed, nn, noGrad, setBackend, tensor } from '../../src/index.js';
import { assertClose, fixture } from '../helpers/compare.js';

const file = fileURLToPath(new URL('../../../test/fixtures/gpt2-tiny.safetensors', import.meta.url));
const ref = fixture<never>('gpt2-tiny.json') as unknown as {
  config: { numHeads: number; numLayers: number };
  tokens: number[][];
  logits: number[];
};

for (const backend of listBackends()) {
  test(`a GPT-2 file loads into nabla's GPT and matches PyTorch's logits within 1e-4 (${backend})`, () => {
    setBackend(backend);
    try {
      const { model: gpt } = load(file, { format: 'gpt2', numHeads: ref.config.numHeads, as: nn.GPT });
      assert.equal(gpt.config.numLayers, ref.config.numLayers);
      assert.equal(gpt.config.gelu, 'tanh');
      assertClose(gpt.forward(tensor(ref.tokens)).data, ref.logits, 1e-4, 'logits');
      // Saved by nabla, it loads as a nabla file with the same logits.
      assertClose(
        decodeModel(encodeModel(gpt), 'gpt.safetensors', { as: nn.GPT }).model.forward(tensor(ref.tokens)).data,
        ref.logits,
        1e-4,
        'logits after a nabla round trip',
      );
    } finally {
      setBackend('js');
    }
  });
}

test('GPT-2 files without the transformer. prefix load too; a foreign tensor, an untied head and an unknown head count are ModelFileErrors', () => {
  const { tensors, metadata } = decodeSafetensors(readFileSync(file), file);
  const strip = Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k.replace(/^transformer\./, ''), v]));
  const plain = decodeModel(encodeSafetensors(strip, metadata), 'plain.safetensors', {
    format: 'gpt2',
    numHeads: 4,
    as: nn.GPT,
  }).model;
  assertClose(plain.forward(tensor(ref.tokens)).data, ref.logits, 1e-4, 'logits');
  const withExtra = encodeSafetensors({ ...strip, 'h.0.attn.q_proj.weight': strip['wte.weight'] }, metadata);
  assert.throws(
    () => decodeModel(withExtra, 'x.safetensors', { format: 'gpt2', numHeads: 4 }),
    (e: Error) =>
      e instanceof ModelFileError &&
      /not a tensor of a GPT-2 model/.test(e.message) &&
      /h\.0\.attn\.q_proj\.weight/.test(e.message),
  );
  const untied = encodeSafetensors(
    {
      ...strip,
      'lm_head.weight': tensor(new Float32Array(strip['wte.weight'].size), { shape: [...strip['wte.weight'].shape] }),
    },
    metadata,
  );
  assert.throws(
    () => decodeModel(untied, 'u.safetensors', { format: 'gpt2', numHeads: 4 }),
    /lm_head.weight differs from wte.weight/,
  );
  assert.throws(
    () => decodeModel(encodeSafetensors(strip, metadata), 'h.safetensors', { format: 'gpt2' }),
    /embedDim 32 is not a multiple of GPT-2's head size 64: pass numHeads/,
  );
});

test("a GPT-2 file with a block both with and without 'transformer.', or an lm_head of wte's values as [E, V], is refused", () => {
  const { tensors, metadata } = decodeSafetensors(readFileSync(file), file);
  const both = { ...tensors, 'h.0.ln_1.weight': tensors['transformer.h.0.ln_1.weight'] };
  assert.throws(
    () => decodeModel(encodeSafetensors(both, metadata), 'both.safetensors', { format: 'gpt2', numHeads: 4 }),
    /^ModelFileError: both\.safetensors: appears twice, with and without the 'transformer\.' prefix: which one loads would be a guess \(at (transformer\.)?h\.0\.ln_1\.weight\)$/,
  );
  const wte = tensors['transformer.wte.weight'];
  const transposed = tensor(wte.data, { shape: [wte.shape[1], wte.shape[0]] }); // the same values, [E, V]
  assert.throws(
    () =>
      decodeModel(encodeSafetensors({ ...tensors, 'lm_head.weight': transposed }, metadata), 'head.safetensors', {
        format: 'gpt2',
        numHeads: 4,
      }),
    /lm_head.weight differs from wte.weight/,
  );
});

test('a safetensors header with a key twice inside a tensor entry is refused (JSON.parse would keep the last)', () => {
  const good = encodeSafetensors({ w: tensor([1, 2]) });
  const length = Number(Buffer.from(good).readBigUInt64LE(0));
  const header = Buffer.from(good.subarray(8, 8 + length))
    .toString('utf8')
    .trimEnd();
  const twice = header.replace('"dtype":"F32"', '"dtype":"F64","dtype":"F32"');
  assert.notEqual(twice, header);
  const text = Buffer.from(twice.padEnd(Math.ceil(twice.length / 8) * 8, ' '));
  const bytes = Buffer.alloc(8 + text.length + 8);
  bytes.writeBigUInt64LE(BigInt(text.length), 0);
  text.copy(bytes, 8);
  Buffer.from(good.subarray(8 + length)).copy(bytes, 8 + text.length);
  assert.throws(
    () => decodeSafetensors(bytes, 'dup.safetensors'),
    /^ModelFileError: dup\.safetensors: duplicate key 'dtype' in its header entry \(JSON keeps only the last\) \(at w\)$/,
  );
  assert.deepEqual(Array.from(decodeSafetensors(good).tensors.w.data), [1, 2]);
});

for (const gelu of ['exact', 'tanh'] as const) {
  test(`a GPT's ONNX export runs in onnxruntime-node and matches nabla's logits within 1e-4 (gelu ${gelu})`, async () => {
    manualSeed(9);
    for (const tiedHead of [false, true]) {
      const model = new nn.Sequential(
        new nn.GPT({ vocabSize: 11, contextLength: 8, embedDim: 16, numLayers: 2, numHeads: 4, tiedHead, gelu }),
      );
      const t = 6;
      const session = await ort.InferenceSession.create(encodeOnnx(model, { inputShape: [t] }));
      for (const batch of [1, 3]) {
        const tokens = tensor(
          Array.from({ length: batch }, (_, r) => Array.from({ length: t }, (_, i) => (r * 5 + i * 3) % 11)),
        );
        const out = (await session.run({ input: new ort.Tensor('float32', tokens.data as Float32Array, [batch, t]) }))
          .output;
        assert.deepEqual(out.dims, [batch, t, 11]);
        assertClose(
          out.data as Float32Array,
          noGrad(() => model.forward(tokens)).data,
          1e-4,
          `tiedHead ${tiedHead}, batch ${batch}`,
        );
      }
    }
  });
}
