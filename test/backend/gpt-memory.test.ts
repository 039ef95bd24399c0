// A GPT trained for 20,000 steps in a plain loop, as a user writes one (no dispose, no trainStep),
// holds its resident memory within a few MB of where it stood after its first 500 steps: each
// step's arrays go back to the pool or to the garbage collector, never pile up.
//
// The run is a child process with two V8 flags. --expose-gc lets it collect before each reading,
// so that garbage not yet collected does not count. --min-semi-space-size=16 starts V8's young
// generation at the size it otherwise reaches later, at its own discretion: without it the RSS of
// this run stepped up 16 MB at about step 5,000 while the heap in use stayed at 9 MB. What remains
// is the allocator's high-water mark of arrays awaiting collection, which moves with the load: the
// RSS rose 0.5 to 5 MB in the first 4,000 steps on a quiet machine and stayed level after, and
// moved between −0.7 and 7.4 MB on one with other tests running. So the readings may wander within
// LIMIT_MB, and a leak is looked for in their floor: the lowest of the last half may not stand
// above the lowest of the first (steps 2,000 to 10,000) by more than LEAK_MB.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const STEPS = 20_000;
const LIMIT_MB = 10;
/** What the second half may add to the floor: a leak of 100 bytes a step would add 1 MB over it. */
const LEAK_MB = 2;

/** The run in a child process on its default backend, or on wasm (NABLA_NATIVE=0). */
function run(wasm: boolean) {
  const entry = new URL('../../src/index.js', import.meta.url).href;
  const script = `
    const { nn, optim, manualSeed, crossEntropy, tensor, getBackend } = await import(${JSON.stringify(entry)});
    manualSeed(1);
    const gpt = new nn.GPT({ vocabSize: 12, contextLength: 8, embedDim: 16, numLayers: 1, numHeads: 2 });
    const opt = new optim.AdamW(gpt.parameters(), { lr: 1e-3 });
    const tokens = tensor(Array.from({ length: 32 }, (_, i) => (i * 7) % 12), { shape: [4, 8] });
    const targets = tensor(Array.from({ length: 32 }, (_, i) => (i * 7 + 1) % 12));
    const rss = () => (globalThis.gc(), process.memoryUsage().rss / 2 ** 20);
    const readings = [];
    let base = 0, loss = 0;
    for (let step = 1; step <= ${STEPS}; step++) {
      opt.zeroGrad();
      const l = crossEntropy(gpt.forward(tokens).reshape([32, 12]), targets);
      l.backward();
      opt.step();
      loss = l.item();
      if (step === 500) base = rss();
      else if (step % 2000 === 0) readings.push({ step, growth: rss() - base });
    }
    console.log(JSON.stringify({ backend: getBackend(), base, readings, loss }));`;
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--min-semi-space-size=16', '--input-type=module', '-e', script],
    { encoding: 'utf8', env: wasm ? { ...process.env, NABLA_NATIVE: '0' } : process.env },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as {
    backend: string;
    base: number;
    readings: { step: number; growth: number }[];
    loss: number;
  };
}

for (const wasm of [false, true]) {
  const on = wasm ? 'on wasm' : 'on the default backend';
  test(`a GPT's resident memory stays within ${LIMIT_MB} MB over ${STEPS} training steps after its first 500, ${on}`, () => {
    const { backend, base, readings, loss } = run(wasm);
    console.log(
      `${backend}: RSS ${base.toFixed(1)} MB at step 500; growth by step: ` +
        readings.map((m) => `${m.step} ${m.growth.toFixed(1)}`).join(', ') +
        ` MB; final loss ${loss.toFixed(4)}`,
    );
    assert.ok(loss < 0.1, `the GPT learned its fixed batch (loss ${loss})`);
    for (const { step, growth } of readings)
      assert.ok(growth < LIMIT_MB, `RSS grew ${growth.toFixed(1)} MB by step ${step}`);
    const floor = (from: number, to: number) =>
      Math.min(...readings.filter((m) => m.step >= from && m.step <= to).map((m) => m.growth));
    const late = floor(STEPS / 2 + 1, STEPS) - floor(2000, STEPS / 2);
    assert.ok(late < LEAK_MB, `the RSS's floor rose ${late.toFixed(1)} MB over the second half`);
  });
}
