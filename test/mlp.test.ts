// MLPs of depth 1–3 with every activation and every loss, against PyTorch: output, loss, and
// the gradient of every weight, bias and the input, in float64 and float32.

import { test } from 'node:test';
import { nn, tensor, type DType, type Tensor } from '../src/index.js';
import { assertClose, assertTensorClose, fixture, TOL } from './helpers/compare.js';

interface MlpCase {
  depth: number;
  activation: 'relu' | 'sigmoid' | 'tanh' | 'leakyRelu' | 'gelu';
  loss: 'mse' | 'crossEntropy' | 'bce' | 'bceWithLogits';
  reduction: nn.Reduction;
  dtype: DType;
  sizes: number[];
  x: number[];
  target: number[];
  weights: number[][];
  biases: number[][];
  upstream: number[] | null;
  output: number[];
  lossValue: number[];
  weightGrads: number[][];
  biasGrads: number[][];
  inputGrad: number[];
}

const activations = {
  relu: () => new nn.ReLU(),
  sigmoid: () => new nn.Sigmoid(),
  tanh: () => new nn.Tanh(),
  leakyRelu: () => new nn.LeakyReLU(0.01),
  gelu: () => new nn.GELU(),
};

function lossOf(c: MlpCase, out: Tensor): Tensor {
  const n = c.x.length / c.sizes[0];
  const opts = { reduction: c.reduction };
  if (c.loss === 'crossEntropy') return new nn.CrossEntropyLoss(opts).forward(out, c.target);
  const target = tensor(c.target, { shape: [n, c.sizes[c.sizes.length - 1]], dtype: c.dtype });
  if (c.loss === 'mse') return new nn.MSELoss(opts).forward(out, target);
  if (c.loss === 'bce') return new nn.BCELoss(opts).forward(out, target);
  return new nn.BCEWithLogitsLoss(opts).forward(out, target);
}

const { cases } = fixture<MlpCase>('mlp.json');

test(`${cases.length} PyTorch MLP cases: output, loss and every gradient agree`, () => {
  for (const c of cases) {
    const what = `${c.dtype} depth ${c.depth} ${c.activation} ${c.loss} (${c.reduction})`;
    const layers: nn.Module[] = [];
    const linears: nn.Linear[] = [];
    c.sizes.slice(1).forEach((out, i) => {
      const lin = new nn.Linear(c.sizes[i], out, { dtype: c.dtype });
      lin.weight.data.set(c.weights[i]);
      lin.bias!.data.set(c.biases[i]);
      linears.push(lin);
      layers.push(lin);
      if (i < c.depth - 1) layers.push(activations[c.activation]());
    });
    if (c.loss === 'bce') layers.push(new nn.Sigmoid());
    const model = new nn.Sequential(...layers);
    const x = tensor(c.x, { shape: [c.x.length / c.sizes[0], c.sizes[0]], dtype: c.dtype, requiresGrad: true });
    const out = model.forward(x);
    assertTensorClose(out, c.output, TOL[c.dtype], `${what}: output`);
    const loss = lossOf(c, out);
    assertClose(loss.data, c.lossValue, TOL[c.dtype], `${what}: loss`);
    loss.backward(c.upstream ? tensor(c.upstream, { shape: loss.shape, dtype: c.dtype }) : undefined);
    linears.forEach((lin, i) => {
      assertTensorClose(lin.weight.grad, c.weightGrads[i], TOL[c.dtype], `${what}: dL/dW of layer ${i}`);
      assertTensorClose(lin.bias!.grad, c.biasGrads[i], TOL[c.dtype], `${what}: dL/db of layer ${i}`);
    });
    assertTensorClose(x.grad, c.inputGrad, TOL[c.dtype], `${what}: dL/dx`);
  }
});
