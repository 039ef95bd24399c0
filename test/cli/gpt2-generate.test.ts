// `nabla generate` on a Hugging Face GPT-2 folder (test/fixtures/gpt2-tiny-hf, written by
// scripts/make_torch_gpt2_fixture.py): the prompt's ids are those of GPT-2's BPE as the script
// computes it, and the text is torch's greedy continuation.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromPretrained, ModelFileError } from '../../src/io/index.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const folder = fileURLToPath(new URL('../../../test/fixtures/gpt2-tiny-hf', import.meta.url));
const ref = JSON.parse(readFileSync(join(folder, 'generate.json'), 'utf8')) as {
  prompt: string;
  promptIds: number[];
  ids: number[];
  text: string;
};
const tmp = mkdtempSync(join(tmpdir(), 'nabla-gpt2-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

test('nabla generate on a GPT-2 folder prints the text of torch greedy generation', () => {
  const newTokens = String(ref.ids.length - ref.promptIds.length);
  const r = spawnSync(
    process.execPath,
    [main, 'generate', '--model', folder, '--prompt', ref.prompt, '--temperature', '0', '--tokens', newTokens],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${ref.text}\n`);
});

test("fromPretrained: tokenizer.json and GPT-2's vocab.json + merges.txt give the reference BPE ids; a config that disagrees with the weights is refused", () => {
  const { model, tokenizer } = fromPretrained(folder);
  assert.deepEqual(tokenizer.encode(ref.prompt), ref.promptIds);
  assert.equal(tokenizer.decode(ref.ids), ref.text);
  assert.equal(model.config.numHeads, 4);
  for (const f of ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt'])
    copyFileSync(join(folder, f), join(tmp, f));
  assert.deepEqual(fromPretrained(tmp).tokenizer.encode(ref.prompt), ref.promptIds);
  const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(tmp, 'config.json'), JSON.stringify({ ...config, n_layer: 3 }));
  assert.throws(
    () => fromPretrained(tmp),
    (e: Error) => e instanceof ModelFileError && /config\.json: n_layer is 3, the weights have 2/.test(e.message),
  );
  writeFileSync(join(tmp, 'config.json'), JSON.stringify({ ...config, model_type: 'llama' }));
  assert.throws(() => fromPretrained(tmp), /model_type "llama": only GPT-2 models load/);
});
