// The layer table (src/nn/layers/): what io and Sequential read from the entries rather than
// from class checks — fusions, the per-parameter torch layout, the ONNX output's batch axis.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, nn, randn, type Tensor } from '../../src/index.js';
import { describeModel, encodeOnnx, inspectBytes } from '../../src/io/index.js';
import { specParameters } from '../../src/io/architecture.js';
import { LAYERS, LAYER_TYPES } from '../../src/nn/layers/table.js';

test('Sequential fuses the neighbours an entry declares (Linear then ReLU) and no others', () => {
  manualSeed(50);
  const x = randn([3, 4]);
  const opOf = (...layers: nn.Module[]) => new nn.Sequential(...layers).forward(x.detach().requiresGrad_()).gradFn?.op;
  assert.equal(opOf(new nn.Linear(4, 2), new nn.ReLU()), 'linear+relu');
  assert.equal(opOf(new nn.Linear(4, 2), new nn.Tanh()), 'tanh');
  assert.equal(opOf(new nn.Linear(4, 2), new nn.LeakyReLU()), 'leakyRelu');
  assert.equal(opOf(new nn.ReLU(), new nn.Linear(4, 2)), 'linear');
  assert.deepEqual(Object.keys(LAYERS.Linear.fusions ?? {}), ['ReLU']);
});

test('every registered layer has a complete entry under its own name', () => {
  for (const type of LAYER_TYPES) {
    const e = LAYERS[type];
    assert.equal(e.type, type);
    for (const part of ['describe', 'build', 'parameters', 'onnx', 'explain'] as const)
      assert.equal(typeof e[part], 'function', `${type}.${part}`);
  }
});

test('the torch layout is declared per parameter: Linear weights transposed, biases as they are', () => {
  const spec = describeModel(
    new nn.Sequential(new nn.Linear(3, 2), new nn.SiLU(), new nn.Linear(2, 4, { bias: false })),
  );
  assert.deepEqual(specParameters(spec), [
    { name: '0.weight', shape: [3, 2], torch: 'transpose' },
    { name: '0.bias', shape: [2], torch: 'same' },
    { name: '2.weight', shape: [2, 4], torch: 'transpose' },
  ]);
});

test("the ONNX output's first axis is the batch axis unless the model merges it", () => {
  const output = (model: nn.Sequential, inputShape: number[]) =>
    /output: (.*)/.exec(inspectBytes(encodeOnnx(model, { inputShape }), 'm.onnx'))![1];
  assert.equal(output(new nn.Sequential(new nn.Flatten(), new nn.Linear(6, 3)), [2, 3]), 'output  FLOAT  [batch,3]');
  assert.equal(output(new nn.Sequential(new nn.Flatten(0)), [2, 3]), 'output  FLOAT  [?]');
  assert.equal(output(new nn.Sequential(new nn.Flatten(0)), [1]), 'output  FLOAT  [batch]');
  assert.equal(output(new nn.Sequential(new nn.Flatten(0), new nn.Linear(3, 2)), [3]), 'output  FLOAT  [?]');
});

test('a layer of a Sequential must give a Tensor: a module returning anything else names itself', () => {
  class Pair extends nn.Module<[Tensor, Tensor]> {
    forward(x: Tensor): [Tensor, Tensor] {
      return [x, x];
    }
  }
  assert.throws(
    () => new nn.Sequential(new Pair()).forward(randn([2, 3])),
    /^Error: Sequential layer 0: Pair: forward returned object, not a Tensor, so it cannot be a layer of a Sequential$/,
  );
});
