// `nabla explain`: the seeds' forward and backward formulas for each layer of a model, with its
// concrete shapes, parameter counts and the multiply-add work of one training step.

import type { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { layerEntry } from '../nn/layers/table.js';

const big = (n: number) => n.toLocaleString('en-US');
const human = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n));

/** `inputShape`: one sample's shape ([C, H, W] for images), which convolutions need to show their products. */
export function explainModel(model: Module, batch: number, classes: number | null, inputShape: readonly number[] | null = null): string {
  if (!(model instanceof Sequential)) throw new Error('explain: only Sequential models are described');
  const out: string[] = [];
  let params = 0, fwd = 0, bwd = 0, inputGrad = false;
  let shape = inputShape;
  let width = shape ? shape.reduce((p, d) => p * d, 1) : 0;
  model.layers.forEach((l, i) => {
    // Each layer's formulas are its table entry's (nn/layers/); layers outside the table get a name only.
    const e = layerEntry(l)?.explain(l, { batch, width, shape, inputGrad }) ?? { lines: [] };
    const p = e.parameters;
    out.push(`layer ${i}: ${l}   ${p ? `${big(p.count)} parameters (${p.detail})` : 'no parameters'}`);
    out.push(...e.lines);
    if (e.flops) {
      out.push(`  FLOPs     forward ${human(e.flops.forward)}, backward ${human(e.flops.backward)}`);
      fwd += e.flops.forward;
      bwd += e.flops.backward;
    }
    if (p) {
      params += p.count;
      inputGrad = true;
    }
    width = e.width ?? width;
    shape = e.shape ?? (e.width !== undefined ? [e.width] : shape);
  });
  if (classes !== null) {
    out.push(`loss: cross-entropy of softmax, L = −(1/N) Σ log softmax(z)[label]   : [${batch}×${classes}] → scalar`);
    out.push(`  backward  dL/dz = (softmax(z) − onehot(label)) / N   : [${batch}×${classes}]`);
  } else {
    out.push(`loss: mean squared error, L = (1/N) Σ (ŷ − y)²   backward dL/dŷ = (2/N)(ŷ − y) : [${batch}×${width}]`);
  }
  out.push('');
  out.push(`parameters: ${big(params)}`);
  out.push(`FLOPs per training step (batch ${batch}; matrix products and bias adds, elementwise ops not counted): forward ${human(fwd)}, backward ${human(bwd)}, total ${human(fwd + bwd)}`);
  return out.join('\n');
}
