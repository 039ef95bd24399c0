// The optimizer updates of the js backend, in place on the parameter and its state buffers (the
// formulas are those of torch.optim: see src/optim/ for each optimizer's whole rule), and the
// in-place helpers of gradients: axpy, scale and the norms of clipping.

import type { AdamArgs, Data, RmspropArgs, SgdArgs } from '../contract.js';

// g ← ∇ + λθ;  b ← g on the first step, else μb + (1−τ)g;  g ← g + μb (Nesterov) or b;  θ ← θ − ηg
export function sgd(p: Data, grad: Data, momentumBuffer: Data | null, args: SgdArgs): void {
  const { lr, momentum: mu, dampening, nesterov, weightDecay: wd, first } = args;
  const b = momentumBuffer;
  if (mu === 0 || !b) {
    for (let j = 0; j < p.length; j++) p[j] -= lr * (grad[j] + wd * p[j]);
    return;
  }
  for (let j = 0; j < p.length; j++) {
    let g = grad[j] + wd * p[j];
    b[j] = first ? g : mu * b[j] + (1 - dampening) * g;
    g = nesterov ? g + mu * b[j] : b[j];
    p[j] -= lr * g;
  }
}

// g ← ∇ + λθ (Adam) or θ ← θ(1 − ηλ) (AdamW);  m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
// v̂max ← max(v̂max, v) (amsgrad);  θ ← θ − (η / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε), the two
// corrections given as args.stepSize and args.bias2Sqrt
export function adam(p: Data, grad: Data, m: Data, v: Data, vMax: Data | null, args: AdamArgs): void {
  const { lr, beta1: b1, beta2: b2, eps, weightDecay: wd, decoupled, stepSize, bias2Sqrt } = args;
  const vmax = vMax ?? v;
  for (let j = 0; j < p.length; j++) {
    let g = grad[j];
    if (decoupled) p[j] *= 1 - lr * wd;
    else g += wd * p[j];
    m[j] = b1 * m[j] + (1 - b1) * g;
    v[j] = b2 * v[j] + (1 - b2) * g * g;
    if (vMax && v[j] > vmax[j]) vmax[j] = v[j];
    p[j] -= (stepSize * m[j]) / (Math.sqrt(vmax[j]) / bias2Sqrt + eps);
  }
}

// g ← ∇ + λθ;  s ← αs + (1−α)g²;  centered: ḡ ← αḡ + (1−α)g, d ← √(s − ḡ²) + ε, else d ← √s + ε;
// momentum: b ← μb + g/d, θ ← θ − ηb; else θ ← θ − ηg/d
export function rmsprop(
  p: Data,
  grad: Data,
  squareAvg: Data,
  gradAvg: Data | null,
  momentumBuffer: Data | null,
  args: RmspropArgs,
): void {
  const { lr, alpha, eps, weightDecay: wd, momentum: mu } = args;
  const s = squareAvg;
  const gAvg = gradAvg;
  const b = momentumBuffer;
  for (let j = 0; j < p.length; j++) {
    const g = grad[j] + wd * p[j];
    s[j] = alpha * s[j] + (1 - alpha) * g * g;
    let d: number;
    if (gAvg) {
      gAvg[j] = alpha * gAvg[j] + (1 - alpha) * g;
      d = Math.sqrt(s[j] - gAvg[j] * gAvg[j]) + eps;
    } else d = Math.sqrt(s[j]) + eps;
    if (b && mu > 0) {
      b[j] = mu * b[j] + g / d;
      p[j] -= lr * b[j];
    } else p[j] -= (lr * g) / d;
  }
}

export function axpy(y: Data, x: Data, alpha: number): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

export function scale(x: Data, alpha: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= alpha;
}

export function normAccumulate(x: Data, p: number, acc: number): number {
  if (p === Infinity) {
    for (let i = 0; i < x.length; i++) acc = Math.max(acc, Math.abs(x[i]));
  } else {
    for (let i = 0; i < x.length; i++) acc += Math.abs(x[i]) ** p;
  }
  return acc;
}
