// save / load: bit-identical round trips for every layer type in both float dtypes and both
// layouts, metadata, the architecture checked before anything is built, errors that name the layer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getRngState, manualSeed, nn, noGrad, randn, type DType, type Tensor } from '../../src/index.js';
import {
  buildModel,
  decodeModel,
  decodeSafetensors,
  describeModel,
  encodeModel,
  encodeSafetensors,
  load,
  save,
  MAX_PARAMETERS,
  type ModelSpec,
} from '../../src/io/index.js';
import { assertBitIdentical, assertFileError } from './helpers.js';

/** One small model per layer type: the layer between two Linear layers. */
function modelsWithEachLayer(dtype: DType): [string, nn.Sequential, number[]][] {
  const around = (layer: nn.Module): nn.Sequential =>
    new nn.Sequential(new nn.Linear(4, 6, { dtype }), layer, new nn.Linear(6, 3, { dtype }));
  return [
    ['Linear', new nn.Sequential(new nn.Linear(4, 3, { dtype })), [5, 4]],
    ['Linear without bias', new nn.Sequential(new nn.Linear(4, 3, { dtype, bias: false })), [5, 4]],
    ['ReLU', around(new nn.ReLU()), [5, 4]],
    ['Sigmoid', around(new nn.Sigmoid()), [5, 4]],
    ['Tanh', around(new nn.Tanh()), [5, 4]],
    ['GELU', around(new nn.GELU()), [5, 4]],
    ['LeakyReLU', around(new nn.LeakyReLU(0.3)), [5, 4]],
    ['Softmax', around(new nn.Softmax(-1)), [5, 4]],
    ['LogSoftmax', around(new nn.LogSoftmax(1)), [5, 4]],
    ['Dropout', around(new nn.Dropout(0.25)), [5, 4]],
    ['Flatten', new nn.Sequential(new nn.Flatten(1, -1), new nn.Linear(4, 3, { dtype })), [5, 2, 2]],
  ];
}

const forward = (m: nn.Module, x: Tensor) => noGrad(() => m.eval().forward(x));

for (const dtype of ['float32', 'float64'] as const) {
  for (const layout of ['nabla', 'torch'] as const) {
    test(`every layer type round trips bit-identically (${dtype}, ${layout} layout)`, () => {
      manualSeed(3);
      for (const [name, model, inputShape] of modelsWithEachLayer(dtype)) {
        const x = randn(inputShape, { dtype });
        const { model: loaded } = decodeModel(encodeModel(model, { layout }), name);
        assert.deepEqual(describeModel(loaded), describeModel(model), `${name}: architecture`);
        const params = loaded.stateDict();
        for (const [k, p] of Object.entries(model.stateDict())) assertBitIdentical(params[k], p, `${name}: ${k}`);
        assertBitIdentical(forward(loaded, x), forward(model, x), `${name}: output`);
      }
    });
  }
}

test('the torch layout stores each Linear weight transposed, [out, in], under the same names', () => {
  manualSeed(4);
  const model = new nn.Sequential(new nn.Linear(3, 2), new nn.ReLU(), new nn.Linear(2, 5, { bias: false }));
  const { tensors, metadata } = decodeSafetensors(encodeModel(model, { layout: 'torch' }));
  assert.deepEqual(Object.keys(tensors).sort(), ['0.bias', '0.weight', '2.weight']);
  assert.equal(metadata['nabla.layout'], 'torch');
  assert.equal(metadata.format, 'pt');
  for (const [name, [i, o]] of [
    ['0.weight', [3, 2]],
    ['2.weight', [2, 5]],
  ] as const) {
    const ours = model.stateDict()[name];
    assert.deepEqual(tensors[name].shape, [o, i]);
    for (let r = 0; r < i; r++)
      for (let c = 0; c < o; c++) assert.equal(tensors[name].data[c * i + r], ours.data[r * o + c]);
  }
});

test('save / load through a file keeps the caller metadata and leaves no temp file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nabla-model-'));
  const file = path.join(dir, 'iris.safetensors');
  manualSeed(5);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Linear(8, 3), new nn.Softmax());
  const metadata = {
    classes: ['setosa', 'versicolor', 'virginica'],
    standardise: { mean: [5.8, 3.0, 3.7, 1.2], std: [0.8, 0.4, 1.7, 0.7] },
  };
  save(model, file, { metadata });
  const loaded = load(file);
  assert.deepEqual(loaded.metadata, metadata);
  assert.equal(loaded.model.training, false, 'loaded models come back in eval mode');
  assert.deepEqual(fs.readdirSync(dir), ['iris.safetensors']);
  fs.rmSync(dir, { recursive: true });
});

test('loading does not move the global PRNG', () => {
  const bytes = encodeModel(new nn.Sequential(new nn.Linear(30, 20), new nn.GELU(), new nn.Linear(20, 2)));
  const spec = describeModel(new nn.Sequential(new nn.Linear(5, 5)));
  manualSeed(9);
  const before = getRngState();
  decodeModel(bytes);
  buildModel(spec);
  assert.deepEqual(getRngState(), before);
});

test('the layout is explicit: a mismatch with the file is an error', () => {
  const bytes = encodeModel(new nn.Sequential(new nn.Linear(3, 3)), { layout: 'torch' });
  assertFileError(
    () => decodeModel(bytes, 'f', { layout: 'nabla' }),
    /'torch' layout but layout 'nabla'/,
    'nabla.layout',
  );
  assert.equal(decodeModel(bytes, 'f', { layout: 'torch' }).model.layers.length, 1);
});

/** A file with the given architecture JSON text and the model's tensors. */
function withArchitecture(model: nn.Module, architecture: string): Uint8Array {
  return encodeSafetensors(model.stateDict(), { 'nabla.architecture': architecture });
}

test('tensors must match the architecture: names, shapes, dtypes', () => {
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
  const spec = describeModel(model);
  const wider = { ...spec, layers: [{ ...spec.layers[0], outFeatures: 5 }, ...spec.layers.slice(1)] };
  assertFileError(
    () => decodeModel(withArchitecture(model, JSON.stringify(wider))),
    /shape \[3,4\] does not match \[3,5\]/,
    '0.weight',
  );
  const noBias = { ...spec, layers: [...spec.layers.slice(0, 2), { ...spec.layers[2], bias: false }] };
  assertFileError(() => decodeModel(withArchitecture(model, JSON.stringify(noBias))), /not a parameter/, '2.bias');
  const shifted = { ...spec, layers: [{ type: 'ReLU' }, ...spec.layers] };
  assertFileError(() => decodeModel(withArchitecture(model, JSON.stringify(shifted))), /not a parameter/);
  assertFileError(
    () => decodeModel(withArchitecture(model, JSON.stringify({ ...spec, dtype: 'float64' }))),
    /dtype F32 does not match/,
  );
  const dropped: Record<string, Tensor> = model.stateDict();
  delete dropped['2.bias'];
  assertFileError(
    () => decodeModel(encodeSafetensors(dropped, { 'nabla.architecture': JSON.stringify(spec) })),
    /missing/,
    '2.bias',
  );
  assertFileError(() => decodeModel(encodeSafetensors(model.stateDict())), /no architecture.*options\.architecture/);
  assertFileError(
    () => decodeModel(withArchitecture(model, '{oops')),
    /not valid JSON/,
    '__metadata__.nabla.architecture',
  );
});

test('the architecture is validated before anything is allocated', () => {
  const spec = (layers: unknown[]): unknown => ({ format: 'nabla.sequential', version: 1, dtype: 'float32', layers });
  const at = (i: number, field: string) => `architecture.layers[${i}].${field}`;
  // 2^40 parameters would be 4 TiB: refused by arithmetic, not by running out of memory.
  const huge = spec([{ type: 'Linear', inFeatures: 2 ** 20, outFeatures: 2 ** 20, bias: true }]);
  assertFileError(
    () => buildModel(huge),
    new RegExp(`more than ${MAX_PARAMETERS} parameters`),
    'architecture.layers[0]',
  );
  assertFileError(() => buildModel(spec([{ type: 'LSTMCell' }])), /unknown layer type "LSTMCell"/, at(0, 'type'));
  assertFileError(
    () => buildModel(spec([{ type: 'LSTM' }])),
    /LSTM.inputSize is undefined, expected a positive integer/,
    at(0, 'inputSize'),
  );
  assertFileError(
    () => buildModel(spec([{ type: 'Linear', inFeatures: 0, outFeatures: 2, bias: true }])),
    /positive integer/,
    at(0, 'inFeatures'),
  );
  assertFileError(
    () => buildModel(spec([{ type: 'Linear', inFeatures: 2, outFeatures: 2 }])),
    /expected a boolean/,
    at(0, 'bias'),
  );
  assertFileError(() => buildModel(spec([{ type: 'ReLU', inplace: true }])), /unknown field/, at(0, 'inplace'));
  assertFileError(() => buildModel(spec([{ type: 'Dropout', p: 1 }])), /\[0, 1\)/, at(0, 'p'));
  assertFileError(() => buildModel(spec([{ type: 'Softmax', dim: 'last' }])), /integer/, at(0, 'dim'));
  assertFileError(
    () => buildModel(spec([{ type: 'LeakyReLU', negativeSlope: null }])),
    /finite number/,
    at(0, 'negativeSlope'),
  );
  assertFileError(() => buildModel(spec([null])), /not an object/, 'architecture.layers[0]');
  assertFileError(
    () => buildModel({ ...(spec([]) as object), format: 'keras' }),
    /unknown architecture format/,
    'architecture.format',
  );
  assertFileError(() => buildModel({ ...(spec([]) as object), version: 2 }), /version/, 'architecture.version');
  assertFileError(() => buildModel({ ...(spec([]) as object), dtype: 'int8' }), /dtype/, 'architecture.dtype');
  assertFileError(
    () => buildModel({ ...(spec([]) as object), layers: new Array(10_001).fill({ type: 'ReLU' }) }),
    /cap/,
    'architecture.layers',
  );
  const ok = buildModel(
    spec([
      { type: 'Linear', inFeatures: 2, outFeatures: 3, bias: false },
      { type: 'Flatten', startDim: 0, endDim: -1 },
    ]),
  );
  assert.equal(ok.layers.length, 2);
});

test('unsupported layers and models are named in the error', () => {
  class Square extends nn.Module {
    forward(x: Tensor): Tensor {
      return x.mul(x);
    }
  }
  assert.throws(
    () => encodeModel(new nn.Sequential(new nn.Linear(2, 2), new Square())),
    /save: layer 1 \(Square\) is not supported/,
  );
  assert.throws(
    () => encodeModel(new Square()),
    /save: Square is not a Sequential or a layer of the layer table.*saveStateDict/,
  );
  const mixed = new nn.Sequential(new nn.Linear(2, 2), new nn.Linear(2, 2, { dtype: 'float64' }));
  assert.throws(() => encodeModel(mixed), /mixes parameter dtypes/);
  const spec: ModelSpec = describeModel(new nn.Sequential(new nn.Linear(2, 2)));
  assert.equal(spec.layers[0].type, 'Linear');
});
