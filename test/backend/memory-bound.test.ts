// Memory stays bounded over a long run with no dispose call anywhere: 20,000 SGD steps
// of a 784-128-10 MLP at batch 64 on the wasm backend, whose linear memory can grow but never
// shrink, so a leak of scratch space or cached panels would show in the process's RSS.
// Measured after 500 warm-up steps (the heap, wasm memory and the panel caches at their working
// size) and at the end; the growth must stay under 50 MB.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossEntropy, manualSeed, nn, optim, randn, setBackend, tensor } from '../../src/index.js';

test('20,000 training steps of 784-128-10 on wasm grow the RSS by under 50 MB', { timeout: 600_000 }, () => {
  setBackend('wasm');
  try {
    manualSeed(1);
    const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
    const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
    const x = randn([64, 784]);
    const y = tensor(Array.from({ length: 64 }, (_, i) => i % 10));
    const step = () => {
      opt.zeroGrad();
      const loss = crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      return loss.item();
    };
    for (let i = 0; i < 500; i++) step();
    const start = process.memoryUsage().rss;
    let last = 0;
    for (let i = 0; i < 19_500; i++) last = step();
    const growth = (process.memoryUsage().rss - start) / 2 ** 20;
    console.log(
      `RSS after 500 steps ${(start / 2 ** 20).toFixed(1)} MB, growth over the next 19,500: ${growth.toFixed(1)} MB`,
    );
    assert.ok(Number.isFinite(last) && last < 0.1, `the model learned its fixed batch (loss ${last})`);
    assert.ok(growth < 50, `RSS grew ${growth.toFixed(1)} MB`);
  } finally {
    setBackend('js');
  }
});
