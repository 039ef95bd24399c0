// gradcheck: compares backprop's gradients with central finite differences, in float64.
//
// For an output y it checks the vector–Jacobian product that backprop computes: with a fixed
// random v, L = Σ v ⊙ y, and for every element x_i of every input,
//   analytic  dL/dx_i from one backward pass,
//   numeric   (L(x_i + ε) − L(x_i − ε)) / 2ε.
// An element passes when |analytic − numeric| ≤ atol + rtol·|numeric|.

import { Tensor } from '../tensor.js';
import { grad } from './engine.js';

/** Options of gradcheck (the defaults are torch.autograd.gradcheck's). */
export interface GradcheckOptions {
  /** The finite-difference step ε (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Throw on the first failing element (default true); otherwise report it. */
  raise?: boolean;
}

/** One element whose backprop gradient and finite difference disagree. */
export interface GradcheckFailure {
  /** Which input (its position in `inputs`). */
  input: number;
  /** The element's flat (row-major) index in that input. */
  index: number;
  /** dL/dx from backprop. */
  analytic: number;
  /** The central finite difference. */
  numeric: number;
}

/** What gradcheck found over every element of every input. */
export interface GradcheckReport {
  /** Every element passed. */
  ok: boolean;
  /** Largest |analytic − numeric| / max(|numeric|, atol) over all checked elements. */
  maxRelError: number;
  /** Largest |analytic − numeric| over all checked elements. */
  maxAbsError: number;
  /** The failing elements (with `raise: false`; otherwise the first failure throws). */
  failures: GradcheckFailure[];
}

/**
 * Checks backprop against central finite differences, in float64 (torch.autograd.gradcheck):
 * the inputs are copied to float64 leaves, and for L = Σ v ⊙ fn(...inputs) with a fixed random v,
 * every element's dL/dx from one backward pass is compared with (L(x + ε) − L(x − ε)) / 2ε. An
 * element passes when |analytic − numeric| ≤ atol + rtol·|numeric|. fn must keep float64 in
 * float64. Throws on the first failure unless `raise: false`, which reports them all.
 *
 * @example
 * ```ts
 * const report = gradcheck((a, b) => a.matmul(b).tanh(), [randn([3, 4]), randn([4, 2])]);
 * report.ok;   // true
 * ```
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): GradcheckReport {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raise = true } = options;
  const xs = inputs.map((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`gradcheck: input ${i} is not a Tensor`);
    const data = Float64Array.from(t.data);
    const x = new Tensor(data, t.shape, 'float64');
    x.requiresGrad = true;
    return x;
  });
  const y0 = fn(...xs);
  if (!(y0 instanceof Tensor)) throw new Error('gradcheck: fn must return a Tensor');
  if (y0.dtype !== 'float64')
    throw new Error(`gradcheck: fn returned ${y0.dtype}; it must keep float64 inputs in float64`);
  const v = projection(y0.size);
  const project = (y: Tensor) => {
    let s = 0;
    for (let i = 0; i < y.size; i++) s += y.data[i] * v[i];
    return s;
  };
  const analytics = y0.requiresGrad
    ? grad(y0, xs, { gradOutput: new Tensor(v, y0.shape, 'float64'), allowUnused: true })
    : xs.map(() => null);

  const report: GradcheckReport = { ok: true, maxRelError: 0, maxAbsError: 0, failures: [] };
  xs.forEach((x, input) => {
    for (let index = 0; index < x.size; index++) {
      const keep = x.data[index];
      // Each in-place write is marked, so no backend reuses work derived from the old value.
      x.data[index] = keep + eps;
      x.markChanged();
      const up = project(fn(...xs));
      x.data[index] = keep - eps;
      x.markChanged();
      const down = project(fn(...xs));
      x.data[index] = keep;
      x.markChanged();
      const numeric = (up - down) / (2 * eps);
      const analytic = analytics[input]?.data[index] ?? 0;
      const err = Math.abs(analytic - numeric);
      report.maxAbsError = Math.max(report.maxAbsError, err);
      report.maxRelError = Math.max(report.maxRelError, err / Math.max(Math.abs(numeric), atol));
      if (!(err <= atol + rtol * Math.abs(numeric))) {
        report.ok = false;
        report.failures.push({ input, index, analytic, numeric });
        if (raise) {
          throw new Error(
            `gradcheck: input ${input} ${shape(x)}, element ${index}: analytic gradient ${analytic} but numeric ${numeric} (difference ${err})`,
          );
        }
      }
    }
  });
  return report;
}

function shape(t: Tensor): string {
  return `[${t.shape.join(',')}]`;
}

/** Fixed pseudo-random weights in [-1, 1), independent of the user's seed. */
function projection(n: number): Float64Array {
  const v = new Float64Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    v[i] = (s / 2 ** 32) * 2 - 1;
  }
  return v;
}
