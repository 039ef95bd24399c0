// nn.Linear runs x·W + b (and a following ReLU inside Sequential) as one fused backend call
// (ops/defs/linear.ts). Its outputs and every gradient must be bit for bit those of the unfused
// ops matmul → add → relu, on every backend, for both dtypes, with and without bias, for a
// batch of 1, a 1-D input and sizes on both sides of the wasm backend's thresholds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listBackends, manualSeed, nn, randn, setBackend, type DType, type Tensor } from '../src/index.js';

function unfused(model: nn.Sequential, x: Tensor): Tensor {
  let y = x;
  for (const layer of model.layers) {
    if (layer instanceof nn.Linear) {
      const input = y.rank === 1 ? y.reshape([1, y.shape[0]]) : y;
      let z = input.matmul(layer.weight);
      if (layer.bias) z = z.add(layer.bias);
      y = y.rank === 1 ? z.reshape([layer.outFeatures]) : z;
    } else y = y.relu();
  }
  return y;
}

const bits = (t: Tensor | null) => Array.from(t!.data);

for (const name of listBackends()) {
  for (const dtype of ['float32', 'float64'] as DType[]) {
    test(`Linear's fused forward equals matmul → add → relu bit for bit, values and gradients (${name}, ${dtype})`, () => {
      setBackend(name);
      for (const [batch, sizes, bias] of [
        [64, [100, 48, 10], true],
        [1, [784, 128, 10], true],
        [5, [30, 20, 3], false],
        [0, [64, 96, 16], true],
        [7, [3, 2, 2], true],
      ] as [number, number[], boolean][]) {
        manualSeed(batch + sizes[0]);
        const model = new nn.Sequential(
          new nn.Linear(sizes[0], sizes[1], { dtype, bias }),
          new nn.ReLU(),
          new nn.Linear(sizes[1], sizes[2], { dtype, bias }),
        );
        for (const p of model.parameters()) p.data.set(randn(p.shape, { dtype }).data); // non-zero biases
        for (const p of model.parameters()) p.markChanged();
        const x = (batch === 0 ? randn([sizes[0]], { dtype }) : randn([batch, sizes[0]], { dtype })).requiresGrad_();
        const xr = x.detach().clone().requiresGrad_();
        const what = `batch ${batch || '1-D'}, ${sizes.join('-')}, bias ${bias}`;
        const y = model.forward(x);
        const yr = unfused(model, xr);
        assert.deepEqual(bits(y), bits(yr), `${what}: output`);
        const params = model.parameters();
        const gy = randn(y.shape, { dtype });
        y.backward(gy);
        const fusedGrads = params.map((p) => bits(p.grad));
        model.zeroGrad();
        yr.backward(gy);
        params.forEach((p, i) => assert.deepEqual(fusedGrads[i], bits(p.grad), `${what}: gradient of parameter ${i}`));
        assert.deepEqual(bits(x.grad), bits(xr.grad), `${what}: input gradient`);
      }
    });
  }
}
