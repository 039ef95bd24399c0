// `nabla explain`: the seeds' forward and backward formulas for each layer of a model, with its
// concrete shapes, parameter counts and the multiply-add work of one training step.

import type { Module } from '../nn/module.js';
import { Linear } from '../nn/linear.js';
import { Dropout, GELU, LeakyReLU, ReLU, Sequential, Sigmoid, Tanh } from '../nn/layers.js';

const big = (n: number) => n.toLocaleString('en-US');
const human = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : String(n));

/** Elementwise layers: [name, forward, backward]. */
function elementwise(l: Module): [string, string] | null {
  if (l instanceof ReLU) return ['y = max(0, x)', 'dL/dx = dL/dy ⊙ 1[x > 0]'];
  if (l instanceof LeakyReLU) return [`y = x if x > 0 else ${l.negativeSlope}·x`, `dL/dx = dL/dy ⊙ (1 if x > 0 else ${l.negativeSlope})`];
  if (l instanceof Sigmoid) return ['y = σ(x) = 1 / (1 + e^(−x))', 'dL/dx = dL/dy ⊙ y(1 − y)'];
  if (l instanceof Tanh) return ['y = tanh(x)', 'dL/dx = dL/dy ⊙ (1 − y²)'];
  if (l instanceof GELU) return ['y = x·Φ(x)', 'dL/dx = dL/dy ⊙ (Φ(x) + x·φ(x))'];
  if (l instanceof Dropout) return [`y = x ⊙ m / (1 − ${l.p}), m ~ Bernoulli(${1 - l.p}) (training only)`, 'dL/dx = dL/dy ⊙ m / (1 − p)'];
  return null;
}

export function explainModel(model: Module, batch: number, classes: number | null): string {
  if (!(model instanceof Sequential)) throw new Error('explain: only Sequential models are described');
  const out: string[] = [];
  let params = 0, fwd = 0, bwd = 0, width = 0, firstLinear = true;
  model.layers.forEach((l, i) => {
    if (l instanceof Linear) {
      const [n, a, b] = [batch, l.inFeatures, l.outFeatures];
      const count = a * b + (l.bias ? b : 0);
      params += count;
      const f = 2 * n * a * b + (l.bias ? n * b : 0);
      const bw = 2 * n * a * b + (l.bias ? n * b : 0) + (firstLinear ? 0 : 2 * n * a * b);
      fwd += f;
      bwd += bw;
      out.push(`layer ${i}: ${l}   ${big(count)} parameters (W ${a}×${b}${l.bias ? ` + b ${b}` : ''})`);
      out.push(`  forward   y = x·W + b           : [${n}×${a}]·[${a}×${b}] + [${b}] → [${n}×${b}]`);
      out.push(`  backward  dL/dW = xᵀ · dL/dy     : [${a}×${n}]·[${n}×${b}] → [${a}×${b}]`);
      if (l.bias) out.push(`            dL/db = Σ_N dL/dy      : [${n}×${b}] → [${b}]`);
      out.push(firstLinear
        ? `            dL/dx = dL/dy · Wᵀ     : not needed, x is the input`
        : `            dL/dx = dL/dy · Wᵀ     : [${n}×${b}]·[${b}×${a}] → [${n}×${a}]`);
      out.push(`  FLOPs     forward ${human(f)}, backward ${human(bw)}`);
      firstLinear = false;
      width = b;
    } else {
      const e = elementwise(l);
      out.push(`layer ${i}: ${l}   no parameters`);
      if (e) {
        out.push(`  forward   ${e[0]}   : [${batch}×${width}] → [${batch}×${width}]`);
        out.push(`  backward  ${e[1]}`);
      }
    }
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
