// `nabla train --data FILE.txt --model gpt` and `nabla generate`, spawned on the built CLI: a tiny
// run learns a repetitive text, generate continues a prompt reproducibly for a seed, and a prompt
// with a character the model never saw, a text too short and an addition prompt of the wrong form
// are one-line errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { load, save } from '../../src/io/index.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-gpt-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const nabla = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: tmp });

const textFile = join(tmp, 'abc.txt');
writeFileSync(textFile, 'the cat sat on the mat. '.repeat(400));
const out = join(tmp, 'gpt');

test('a tiny character GPT learns a repetitive text and reports bits per character', () => {
  const r = nabla(
    'train',
    '--data',
    textFile,
    '--model',
    'gpt',
    '--context',
    '16',
    '--layers',
    '1',
    '--heads',
    '2',
    '--dim',
    '32',
    '--epochs',
    '2',
    '--lr',
    '3e-3',
    '--out',
    out,
    '--no-progress',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /epoch 2\/2 .* tokens\/s/);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.equal(metrics.final.vocabSize, 11);
  // Uniform guessing costs log 11 = 2.40 nats; the text is nearly deterministic.
  assert.ok(metrics.final.valLoss < 1.2, `validation loss ${metrics.final.valLoss}`);
  assert.ok(Math.abs(metrics.final.bitsPerCharacter - metrics.final.valLoss / Math.LN2) < 1e-9);
});

test('generate continues a prompt, the same for the same seed, and names a character the model never saw', () => {
  const a = nabla('generate', '--model', out, '--prompt', 'the ', '--tokens', '40', '--seed', '3');
  assert.equal(a.status, 0, a.stderr);
  assert.ok(a.stdout.startsWith('the ') && a.stdout.length > 40, a.stdout);
  const b = nabla('generate', '--model', out, '--prompt', 'the ', '--tokens', '40', '--seed', '3');
  assert.equal(b.stdout, a.stdout);
  const bad = nabla('generate', '--model', out, '--prompt', 'the dog');
  assert.equal(bad.status, 1);
  assert.match(
    bad.stderr,
    /--prompt: CharTokenizer: character "d" \(U\+0064\) at position 4 is not in the vocabulary of 11 characters/,
  );
});

test('a text too short for its context, and a non-GPT model for generate, are one-line errors', () => {
  const short = join(tmp, 'short.txt');
  writeFileSync(short, 'tiny text');
  const r = nabla('train', '--data', short, '--model', 'gpt', '--context', '16', '--out', join(tmp, 'no'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /short.txt: 9 characters are too few for --context 16/);
  const csv = join(tmp, 'rows.csv');
  writeFileSync(csv, `a,b,y\n${Array.from({ length: 40 }, (_, i) => `${i % 7},${i % 3},${i % 2}`).join('\n')}\n`);
  assert.equal(
    nabla('train', '--data', csv, '--target', 'y', '--epochs', '1', '--out', join(tmp, 'mlp'), '--no-progress').status,
    0,
  );
  const g = nabla('generate', '--model', join(tmp, 'mlp'));
  assert.equal(g.status, 1);
  assert.match(g.stderr, /not a language model/);
});

test("generate answers an addition model's prompt a+b=, and refuses another form", () => {
  const add = join(tmp, 'add');
  assert.equal(
    nabla(
      'train',
      '--data',
      'addition',
      '--digits',
      '1',
      '--train-size',
      '640',
      '--dim',
      '16',
      '--heads',
      '2',
      '--layers',
      '1',
      '--out',
      add,
      '--no-progress',
    ).status,
    0,
  );
  const r = nabla('generate', '--model', add, '--prompt', '3+4=');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^3\+4=\d+\n$/);
  const bad = nabla('generate', '--model', add, '--prompt', '33+4=');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /this model adds numbers of up to 1 digits; write the prompt as a\+b=/);
});

test("generate refuses a model whose metadata does not fit its GPT: an addition model's digits, a tokenizer's size", () => {
  const copy = (from: string, to: string, metadata: (m: Record<string, unknown>) => Record<string, unknown>) => {
    const { model, metadata: m } = load(join(from, 'model.safetensors'));
    mkdirSync(to, { recursive: true });
    save(model, join(to, 'model.safetensors'), { metadata: metadata(m) });
  };
  const add = join(tmp, 'add');
  for (const digits of [0, -1, 1e6, 7, 2, '1', null]) {
    const dir = join(tmp, `add-digits-${String(digits)}`);
    copy(add, dir, (m) => ({ ...m, digits }));
    const r = nabla('generate', '--model', dir, '--prompt', '3+4=');
    assert.equal(r.status, 1, String(digits));
    assert.match(
      r.stderr,
      /^nabla: \S+model\.safetensors: the addition model's digits is .+, expected an integer 1\.\.6 matching its GPT's context of 3 tokens \(3 per digit\) \(at nabla\.metadata\.digits\)\n$/,
    );
  }
  const text = join(tmp, 'text-other-tokenizer');
  copy(out, text, (m) => ({ ...m, tokenizer: { kind: 'char', chars: 'abc' } }));
  const r = nabla('generate', '--model', text, '--prompt', 'a');
  assert.equal(
    r.stderr,
    `nabla: ${join(text, 'model.safetensors')}: the tokenizer has 3 tokens, the GPT's vocabulary 11 (at nabla.metadata.tokenizer)\n`,
  );
});

test("export writes a GPT's ONNX file (tokens [batch, context] as floats)", async () => {
  const r = nabla('export', '--model', out);
  assert.equal(r.status, 0, r.stderr);
  const session = await ort.InferenceSession.create(join(out, 'model.onnx'));
  const tokens = new Float32Array(2 * 16).map((_, i) => i % 11);
  const { output } = await session.run({ input: new ort.Tensor('float32', tokens, [2, 16]) });
  assert.deepEqual(output.dims, [2, 16, 11]);
});

test("explain shows a GPT's attention shapes and the seeds' Linear formulas", () => {
  const r = nabla('explain', '--model', out, '--batch-size', '8');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /S = q·kᵀ\/√d \+ causal mask +: \[8·2×16×16\]·\[8·2×16×16\] → \[8·2×16×16\]/);
  assert.match(r.stdout, /q, k, v = LayerNorm\(x\)·W_qkv \+ b_qkv +: \[8·16×32\]·\[32×96\] → \[8·16×96\]/);
  assert.match(r.stdout, /dL\/dW = xᵀ·dL\/dy, +dL\/db = Σ_rows dL\/dy, +dL\/dx = dL\/dy·Wᵀ/);
  assert.match(r.stdout, /loss: cross-entropy .*: \[8·16×11\] → scalar/);
});
