// Models deeper than a call's argument list: their construction and parameter lists are loops,
// never a spread call, so they do not overflow the call stack (a GPT of 13,000 blocks inside a
// Sequential did, in Module.namedParameters' push(...)).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nn, tensor } from '../../src/index.js';

test('a Sequential of 100,000 layers takes them as one array and runs', () => {
  const layers = Array.from({ length: 100_000 }, () => new nn.ReLU());
  const s = new nn.Sequential(layers);
  assert.equal(s.layers.length, 100_000);
  assert.deepEqual(Array.from(s.forward(tensor([[-1, 2]])).data), [0, 2]);
  assert.equal(s.modules().length, 100_001);
  assert.deepEqual(new nn.Sequential([new nn.ReLU(), new nn.Tanh()]).layers.length, 2);
  assert.throws(
    () => new nn.Sequential([new nn.ReLU(), 3 as never]),
    /^Error: Sequential: argument 1 is not a Module$/,
  );
});

test('mlp of 30,000 hidden layers and a GPT of 13,000 blocks in a Sequential list their parameters', () => {
  const deep = nn.mlp({ inputs: 1, hidden: Array.from({ length: 30_000 }, () => 1), outputs: 1 });
  assert.equal(deep.parameters().length, 2 * 30_001);
  const gpt = new nn.GPT({ vocabSize: 5, contextLength: 4, embedDim: 4, numLayers: 13_000, numHeads: 1 });
  const wrapped = new nn.Sequential(gpt);
  assert.equal(wrapped.parameters().length, gpt.parameters().length);
  assert.ok(wrapped.parameters().length > 150_000);
  assert.equal(wrapped.namedBuffers().length, gpt.namedBuffers().length);
});
