// nn.generate on a recurrent Sequential (Embedding → nn.LSTM/GRU → Linear): the state carried from
// token to token gives the tokens that running the whole sequence again for each new token gives
// (the recurrent layers' forward is checked against torch in test/nn/recurrent*.test.ts), time-major
// or batch-first; a seed reproduces a sample; models it cannot run are named.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, nn, tensor } from '../../src/index.js';

/** Greedy decoding by the whole sequence's forward each step: no state carried. */
function greedyByWholeSequence(model: nn.Sequential, prompt: number[], count: number, batchFirst: boolean): number[] {
  const tokens = [...prompt];
  for (let i = 0; i < count; i++) {
    const logits = model.forward(tensor(batchFirst ? [tokens] : tokens.map((t) => [t])));
    const row = Array.from(logits.data.subarray(logits.size - logits.shape.at(-1)!));
    tokens.push(row.indexOf(Math.max(...row)));
  }
  return tokens;
}

for (const [name, batchFirst, layer] of [
  ['LSTM, batch first', true, (h: number) => new nn.LSTM(h, h, { numLayers: 2, batchFirst: true })],
  ['GRU, time-major', false, (h: number) => new nn.GRU(h, h)],
] as const) {
  test(`generate on Embedding → ${name} → Linear carries the state: the tokens of the whole sequence run again`, () => {
    manualSeed(3);
    const model = new nn.Sequential(new nn.Embedding(7, 12), layer(12), new nn.Linear(12, 7));
    model.eval();
    const generated = nn.generate(model, [1, 4, 2], { maxNewTokens: 12, temperature: 0 });
    assert.deepEqual(generated, greedyByWholeSequence(model, [1, 4, 2], 12, batchFirst));
    assert.equal(model.training, false);
    manualSeed(9);
    const a = nn.generate(model, [5], { maxNewTokens: 15, temperature: 1.2, topK: 4 });
    manualSeed(9);
    assert.deepEqual(nn.generate(model, [5], { maxNewTokens: 15, temperature: 1.2, topK: 4 }), a);
  });
}

test('generate names a Sequential it cannot continue: no recurrent layer, a bidirectional one, a head of another width', () => {
  assert.throws(
    () => nn.generate(new nn.Sequential(new nn.Embedding(5, 4), new nn.Linear(4, 5)), [1]),
    /generate: a Sequential must start with an Embedding and a recurrent layer \(nn\.LSTM, nn\.GRU, nn\.RNN\), got Embedding\(5, 4\) → Linear/,
  );
  const both = new nn.Sequential(new nn.Embedding(5, 4), new nn.LSTM(4, 4, { bidirectional: true }));
  assert.throws(() => nn.generate(both, [1]), /generate: LSTM\(4→4, bidirectional\) is bidirectional/);
  const wide = new nn.Sequential(new nn.Embedding(5, 4), new nn.RNN(4, 4, { batchFirst: true }), new nn.Linear(4, 6));
  assert.throws(() => nn.generate(wide, [1]), /gives 6 values per position, but its Embedding reads 5 tokens/);
});
