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
      const { model } = load(file, { format: 'gpt2', numHeads: ref.config.numHeads });
      const gpt = model.layers[0] as nn.GPT;
      assert.equal(gpt.config.numLayers, ref.config.numLayers);
      assert.equal(gpt.config.gelu, 'tanh');
      assertClose(model.forward(tensor(ref.tokens)).data, ref.logits, 1e-4, 'logits');
      // Saved by nabla, it loads as a nabla file with the same logits.
      assertClose(
        decodeModel(encodeModel(model)).model.forward(tensor(ref.tokens)).data,
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
