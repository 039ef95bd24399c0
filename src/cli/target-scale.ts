// A regressor trained on standardised targets z = (y − mean)/std predicts z; folding the scale
// into its last Linear makes the saved model predict y itself, so eval, predict, the ONNX export
// and any user of the file need to know nothing about the standardisation:
//   y = z·std + mean = (x·W + b)·std + mean = x·(W·diag(std)) + (b·std + mean),
// W [in × K] scaled column by column, b [K] likewise and shifted by the mean.

import { Tensor } from '../tensor.js';
import type { Standardizer } from '../data/csv.js';
import type { Sequential } from '../nn/sequential.js';
import { Linear } from '../nn/layers/linear.js';

export function foldTargetScale(model: Sequential, scale: Standardizer): void {
  const head = model.layers[model.layers.length - 1];
  if (!(head instanceof Linear) || !head.bias) {
    throw new Error(
      `foldTargetScale: the model's last layer is ${head?.constructor.name ?? 'missing'}, not a Linear with a bias to fold the target's scale into`,
    );
  }
  const k = head.outFeatures;
  if (scale.mean.length !== k)
    throw new Error(`foldTargetScale: a scale for ${scale.mean.length} targets, the model predicts ${k}`);
  const w = head.weight.data.slice();
  for (let i = 0; i < w.length; i++) w[i] *= scale.std[i % k];
  const b = head.bias.data.slice();
  for (let j = 0; j < k; j++) b[j] = b[j] * scale.std[j] + scale.mean[j];
  head.loadStateDict({
    weight: new Tensor(w, head.weight.shape, head.weight.dtype),
    bias: new Tensor(b, head.bias.shape, head.bias.dtype),
  });
}
