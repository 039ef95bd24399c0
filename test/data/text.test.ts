// Tokenizers and TextDataset: round trips, the errors for characters and tokens a model never saw,
// and the windows with their next-token targets.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { data } from '../../src/index.js';

test('CharTokenizer: the vocabulary is the sorted distinct characters; unseen ones are a clear error', () => {
  const t = data.CharTokenizer.fromText('hello, wörld 🙂');
  assert.deepEqual(t.chars, [' ', ',', 'd', 'e', 'h', 'l', 'o', 'r', 'w', 'ö', '🙂']);
  assert.equal(t.decode(t.encode('wörld 🙂')), 'wörld 🙂');
  assert.throws(
    () => t.encode('hellx'),
    /CharTokenizer: character "x" \(U\+0078\) at position 4 is not in the vocabulary of 11 characters/,
  );
  assert.throws(() => t.decode([11]), /token 11 at position 0 is not in \[0, 10\]/);
  assert.deepEqual(data.tokenizerFromJson(data.tokenizerToJson(t), 'f').encode('hello'), t.encode('hello'));
  assert.throws(
    () => data.tokenizerFromJson({ kind: 'char' }, 'model.safetensors'),
    /model.safetensors: the model's metadata has no valid tokenizer/,
  );
});

test('ByteTokenizer: any text, 256 tokens, UTF-8 bytes', () => {
  const t = new data.ByteTokenizer();
  assert.deepEqual(t.encode('é'), [0xc3, 0xa9]);
  assert.equal(t.decode(t.encode('any ✓ text')), 'any ✓ text');
  assert.throws(() => t.decode([256]), /ByteTokenizer: token 256 at position 0 is not a byte/);
});

test('TextDataset: windows every stride tokens, each target the window shifted by one', () => {
  const d = new data.TextDataset([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3);
  assert.equal(d.length, 3); // windows at 0, 3, 6 (the one at 6 has its next token 9)
  const [x, y] = d.getBatch([2, 0]);
  assert.deepEqual([...x.data], [6, 7, 8, 0, 1, 2]);
  assert.deepEqual([...y.data], [7, 8, 9, 1, 2, 3]);
  assert.equal(new data.TextDataset([0, 1, 2, 3, 4, 5], 3, { stride: 1 }).length, 3);
  assert.throws(
    () => new data.TextDataset([0, 1, 2], 3),
    /3 tokens are too few for one window of 3 tokens and its next token/,
  );
  assert.throws(() => d.get(3), /index 3 is out of range for 3 windows/);
});
