// The wasm backend keeps packed weight panels between products (src/backend/wasm/panels.ts).
// These tests prove that nabla's own in-place writers invalidate them: after an optimizer step,
// loadStateDict, an initialiser or markChanged(), every product must equal the same product
// with a fresh copy of the weights (never cached), bit for bit on the same backend.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listBackends, manualSeed, nn, noGrad, optim, randn, setBackend, type Tensor } from '../../src/index.js';
import { crossEntropy } from '../../src/nn/losses.js';
import { heNormal_ } from '../../src/nn/init.js';

const backends = listBackends();

/** x·W + b with copies of W and b that no backend has seen (requiresGrad off: never cached). */
function reference(layer: nn.Linear, x: Tensor): number[] {
  return Array.from(noGrad(() => x.matmul(layer.weight.clone()).add(layer.bias!.clone())).data);
}

const forward = (layer: nn.Linear, x: Tensor) => Array.from(noGrad(() => layer.forward(x)).data);

for (const name of backends) {
  test(`packed weights are never stale after nabla's in-place writes (${name})`, async (t) => {
    setBackend(name);
    manualSeed(3);
    // 5×64×256: above the wasm backend's 4,096 multiply-adds, so it runs (and caches) there;
    // the 1,280-element bias add and loss rows run wasm kernels between the products too, whose
    // scratch memory must not overlap the cached panels.
    const layer = new nn.Linear(64, 256);
    const x = randn([5, 64]);
    const y0 = forward(layer, x);
    assert.deepEqual(forward(layer, x), y0, 'the same weights give the same result');

    await t.test('an optimizer step', () => {
      for (const opt of [
        new optim.SGD(layer.parameters(), { lr: 0.5 }),
        new optim.Adam(layer.parameters(), { lr: 0.1 }),
      ]) {
        const before = forward(layer, x);
        opt.zeroGrad();
        crossEntropy(layer.forward(x), [1, 2, 3, 4, 5]).backward();
        opt.step();
        const after = forward(layer, x);
        assert.notDeepEqual(after, before, 'the step changed the weights');
        assert.deepEqual(after, reference(layer, x));
      }
    });

    await t.test('the backward product (transposed weights) after a step', () => {
      const opt = new optim.SGD(layer.parameters(), { lr: 0.5 });
      const xg = x.clone().requiresGrad_();
      for (let step = 0; step < 3; step++) {
        opt.zeroGrad();
        xg.grad = null;
        crossEntropy(layer.forward(xg), [0, 1, 2, 3, 4]).backward();
        // dx = dy·Wᵀ with a fresh copy of W
        const xr = x.clone().requiresGrad_();
        crossEntropy(xr.matmul(layer.weight.clone()).add(layer.bias!.clone()), [0, 1, 2, 3, 4]).backward();
        assert.deepEqual(Array.from(xg.grad!.data), Array.from(xr.grad!.data), `step ${step}`);
        opt.step();
      }
    });

    await t.test('loadStateDict', () => {
      const other = new nn.Linear(64, 256);
      const before = forward(layer, x);
      layer.loadStateDict(other.stateDict());
      const after = forward(layer, x);
      assert.notDeepEqual(after, before);
      assert.deepEqual(after, reference(layer, x));
      assert.deepEqual(after, forward(other, x));
    });

    await t.test('an initialiser', () => {
      const before = forward(layer, x);
      heNormal_(layer.weight);
      const after = forward(layer, x);
      assert.notDeepEqual(after, before);
      assert.deepEqual(after, reference(layer, x));
    });

    await t.test('a direct write followed by markChanged()', () => {
      const before = forward(layer, x);
      layer.weight.data.fill(0.25);
      layer.weight.markChanged();
      const after = forward(layer, x);
      assert.notDeepEqual(after, before);
      assert.deepEqual(after, reference(layer, x));
    });

    await t.test('a write through another tensor sharing the memory', () => {
      const before = forward(layer, x);
      const alias = layer.weight.detach().reshape([256, 64]);
      alias.data[7] = 3;
      alias.markChanged();
      const after = forward(layer, x);
      assert.notDeepEqual(after, before);
      assert.deepEqual(after, reference(layer, x));
    });
  });
}
