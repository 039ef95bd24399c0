// One training run of a small MLP on a 2-D data set, written with nabla's public API only.
// It runs inside the Web Worker (worker.ts) and, being DOM-free, in Node tests as well.
//
// The backprop view needs dL/dy and dL/dx at every Linear layer, which a single backward()
// does not keep (only leaves get .grad). A captured step therefore cuts the graph at each
// layer boundary into leaves and runs backward() segment by segment, back to front:
//   loss.backward()            → dL/dy at the last Linear's output leaf
//   y_k.backward(dL/dy_k)      → dL/dW_k, dL/db_k and dL/dx_k  (x_k is a leaf)
//   a_{k-1}.backward(dL/dx_k)  → dL/dy_{k-1} through the activation
// which is the chain rule applied by hand, with the same gradients as one backward().

import {
  getBackend,
  gradcheck,
  manualSeed,
  nn,
  noGrad,
  optim,
  rand,
  readAll,
  setBackend,
  Tensor,
  tensor,
} from '../../src/core.js';
import { type ActivationName, type Config, type LossName } from './config.js';
import { generate, split, subset, type Points, type Split } from './data.js';

export interface Mat {
  shape: number[];
  data: Float32Array;
}

/** Everything the backprop view shows for one Linear layer on one step. */
export interface LayerCapture {
  layer: number;
  x: Mat;
  W: Mat;
  b: Mat;
  y: Mat;
  dy: Mat;
  dW: Mat;
  db: Mat;
  dx: Mat;
  /** Largest |formula − autograd| / max|autograd| for dW = xᵀ·dy, db = Σ_N dy, dx = dy·Wᵀ and dy. */
  residual: { dW: number; db: number; dx: number; dy: number };
}

export interface GradcheckSummary {
  ok: boolean;
  maxRelError: number;
  maxAbsError: number;
  elements: number;
  failures: number;
  ms: number;
}

export interface GridOutputs {
  /** Prediction at each grid point, row 0 at the top (x2 = 1). */
  output: Float32Array;
  /** Per hidden layer, activations [G², width]. */
  hidden: Float32Array[];
}

function activate(name: ActivationName, t: Tensor): Tensor {
  switch (name) {
    case 'relu':
      return t.relu();
    case 'tanh':
      return t.tanh();
    case 'sigmoid':
      return t.sigmoid();
    case 'gelu':
      return t.gelu();
  }
}

/** f'(z) elementwise, from its closed form (not from autograd), for the dy check. */
function activationSlope(name: ActivationName, z: number): number {
  switch (name) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'tanh':
      return 1 - Math.tanh(z) ** 2;
    case 'sigmoid': {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 - s);
    }
    case 'gelu': {
      // Φ(z) + z·φ(z), with Φ from erf by numerical integration of φ (Simpson, fine for a check).
      const phi = (t: number) => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
      const n = 64;
      const h = z / n;
      let s = phi(0) + phi(z);
      for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * phi(i * h);
      return 0.5 + (s * h) / 3 + z * phi(z);
    }
  }
}

const mat = (t: Tensor): Mat => ({ shape: [...t.shape], data: Float32Array.from(t.data) });

/**
 * Runs the views' computations (grid, losses, the captured step, gradcheck) on js when training
 * runs on the WebGPU backend: they read values synchronously, and the weights are on the host
 * between steps (step() reads them back). On a CPU backend, as they are.
 */
function onHost<T>(f: () => T): T {
  const name = getBackend();
  if (name !== 'webgpu') return f();
  void setBackend('js');
  try {
    return f();
  } finally {
    void setBackend(name);
  }
}

export class Trainer {
  readonly data: Split;
  readonly regression: boolean;
  readonly loss: LossName;
  readonly model: nn.Sequential;
  /** The model's Linear layers, in order (the backprop view and the captured step go layer by layer). */
  readonly linears: nn.Linear[];
  readonly optimizer: optim.Optimizer;
  steps = 0;
  /** Batch loss of every step from the start (capped), for reproducibility checks. */
  readonly stepLosses: number[] = [];
  private order: number[] = [];
  private cursor = 0;
  private lastBatch: { x: Tensor; t: Tensor } | null = null;
  /** The parameter values the last step started from: the backprop view shows that step. */
  private paramsBeforeLastStep: Float32Array[] | null = null;

  constructor(
    readonly config: Config,
    csv?: Points,
  ) {
    manualSeed(config.seed);
    if (config.dataset === 'csv' && !csv) throw new Error('Trainer: the csv data set needs uploaded points');
    const points = config.dataset === 'csv' ? csv! : generate(config.dataset, config.noise);
    this.data = split(points, config.trainPercent);
    this.regression = points.regression;
    this.loss = this.regression ? 'mse' : config.loss;
    // The same builder as the command line's; here every layer, the output one included, gets He
    // initialisation before ReLU and GELU and Glorot before tanh and sigmoid.
    const init = config.activation === 'relu' || config.activation === 'gelu' ? 'heUniform' : 'glorotUniform';
    this.model = nn.mlp({ inputs: 2, hidden: config.layers, outputs: 1, activation: config.activation, init });
    this.linears = this.model.layers.filter((l): l is nn.Linear => l instanceof nn.Linear);
    const params = this.model.parameters();
    const { lr, l2: weightDecay } = config;
    this.optimizer =
      config.optimizer === 'adam'
        ? new optim.Adam(params, { lr, weightDecay })
        : new optim.SGD(params, { lr, weightDecay, momentum: config.optimizer === 'momentum' ? 0.9 : 0 });
  }

  forward(x: Tensor): Tensor {
    return this.model.forward(x);
  }

  lossOf(out: Tensor, target: Tensor): Tensor {
    return this.loss === 'bce' ? nn.bceWithLogits(out, target) : nn.mseLoss(out, target);
  }

  /** What the heatmap shows: a probability for BCE, the raw output otherwise. */
  predict(out: Tensor): Tensor {
    return this.loss === 'bce' ? out.sigmoid() : out;
  }

  /**
   * One optimizer step on the next batch; with capture, also the backprop view's matrices. On the
   * WebGPU backend it reads twice: the loss before the update, and the updated weights after it
   * (so that the views find them on the host); on a CPU backend both reads resolve at once.
   */
  async step(capture = false): Promise<{ loss: number; captures: LayerCapture[] | null }> {
    const { x, t } = this.nextBatch();
    this.lastBatch = { x, t };
    this.paramsBeforeLastStep = this.parameters().map((p) => Float32Array.from(p.data));
    this.optimizer.zeroGrad();
    let loss: Tensor;
    let captures: LayerCapture[] | null = null;
    if (capture) [loss, captures] = onHost(() => this.capturedBackward(x, t));
    else {
      loss = this.lossOf(this.forward(x), t);
      loss.backward();
    }
    const value = (await loss.read())[0];
    if (!Number.isFinite(value)) {
      throw new Error(`training stopped: the loss is ${value} at step ${this.steps + 1} (try a smaller learning rate)`);
    }
    this.optimizer.step();
    await readAll(this.parameters());
    this.steps++;
    if (this.stepLosses.length < 100_000) this.stepLosses.push(value);
    return { loss: value, captures };
  }

  /**
   * The backprop view's matrices of the last step, as step(true) would have returned them: its
   * batch and the weights it started from, so dW is the gradient that step applied (the current
   * weights are W − lr·dW for plain SGD). Before any step: the current weights on the first batch.
   */
  capture(): LayerCapture[] {
    return onHost(() => this.captureOnHost());
  }

  private captureOnHost(): LayerCapture[] {
    const { x, t } = this.lastBatch ?? this.tensors(this.data.train, this.firstIndices());
    const params = this.parameters();
    const now = params.map((p) => Float32Array.from(p.data));
    // markChanged: the wasm backend keeps packed copies of weights it has seen, keyed by version.
    const setParams = (values: Float32Array[]) =>
      params.forEach((p, i) => (p.data as Float32Array).set(values[i]) ?? p.markChanged());
    if (this.paramsBeforeLastStep) setParams(this.paramsBeforeLastStep);
    try {
      this.optimizer.zeroGrad();
      return this.capturedBackward(x, t)[1];
    } finally {
      this.optimizer.zeroGrad();
      setParams(now);
    }
  }

  private parameters(): Tensor[] {
    return this.linears.flatMap((l) => [l.weight, l.bias!]);
  }

  /** Before the first step: the first batch's size of training points, drawing nothing from the PRNG. */
  private firstIndices(): number[] {
    return Array.from({ length: Math.min(this.config.batchSize, this.data.train.ys.length) }, (_, i) => i);
  }

  get epoch(): number {
    const n = this.data.train.ys.length;
    return (this.steps * Math.min(this.config.batchSize, n)) / n;
  }

  private nextBatch(): { x: Tensor; t: Tensor } {
    // Every batch has the same size (PyTorch's drop_last): a new shuffle when too few are left,
    // so the backprop view's shapes stay put.
    const n = this.data.train.ys.length;
    const size = Math.min(this.config.batchSize, n);
    if (this.cursor + size > this.order.length) {
      const keys = rand([n]).data;
      this.order = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a] - keys[b]);
      this.cursor = 0;
    }
    const idx = this.order.slice(this.cursor, this.cursor + size);
    this.cursor += idx.length;
    return this.tensors(this.data.train, idx);
  }

  private tensors(p: Points, idx: number[]): { x: Tensor; t: Tensor } {
    const { xs, ys } = subset(p, idx);
    return { x: tensor(xs, { shape: [idx.length, 2] }), t: tensor(ys, { shape: [idx.length, 1] }) };
  }

  private capturedBackward(x: Tensor, t: Tensor): [Tensor, LayerCapture[]] {
    const last = this.linears.length - 1;
    const inputs: Tensor[] = [];
    const outputs: Tensor[] = [];
    const outputLeaves: Tensor[] = [];
    const activations: Tensor[] = [];
    let h = x;
    this.linears.forEach((lin, k) => {
      const xk = h.detach().requiresGrad_();
      const yk = lin.forward(xk);
      const leaf = yk.detach().requiresGrad_();
      h = k < last ? activate(this.config.activation, leaf) : leaf;
      inputs.push(xk);
      outputs.push(yk);
      outputLeaves.push(leaf);
      activations.push(h);
    });
    const loss = this.lossOf(h, t);
    loss.backward();
    for (let k = last; k >= 0; k--) {
      outputs[k].backward(outputLeaves[k].grad!);
      if (k > 0) activations[k - 1].backward(inputs[k].grad!);
    }
    const captures = this.linears.map((lin, k): LayerCapture => {
      const c = {
        layer: k,
        x: mat(inputs[k]),
        W: mat(lin.weight),
        b: mat(lin.bias!),
        y: mat(outputLeaves[k]),
        dy: mat(outputLeaves[k].grad!),
        dW: mat(lin.weight.grad!),
        db: mat(lin.bias!.grad!),
        dx: mat(inputs[k].grad!),
      };
      // dL/dy from its own formula: through f' from the next layer's dL/dx, or from the loss.
      const dyRef =
        k < last
          ? inputs[k + 1].grad!.data.map((g, i) => g * activationSlope(this.config.activation, c.y.data[i]))
          : this.outputGradient(c.y.data, t.data);
      return { ...c, residual: residuals(c, dyRef) };
    });
    return [loss, captures];
  }

  /** dL/dŷ of the mean loss over N outputs: (σ(ŷ) − t)/N for BCE on logits, 2(ŷ − t)/N for MSE. */
  private outputGradient(y: ArrayLike<number>, t: ArrayLike<number>): Float64Array {
    const n = y.length;
    return Float64Array.from({ length: n }, (_, i) =>
      this.loss === 'bce' ? (1 / (1 + Math.exp(-y[i])) - t[i]) / n : (2 * (y[i] - t[i])) / n,
    );
  }

  evaluate(p: Points): number {
    if (p.ys.length === 0) return NaN;
    const { x, t } = this.tensors(
      p,
      Array.from({ length: p.ys.length }, (_, i) => i),
    );
    return onHost(() => noGrad(() => this.lossOf(this.forward(x), t).item()));
  }

  /** The network on a G×G grid over [-1, 1]², with every hidden neuron's output. */
  grid(g: number): GridOutputs {
    const xs = new Float32Array(g * g * 2);
    for (let r = 0; r < g; r++) {
      for (let c = 0; c < g; c++) {
        xs[2 * (r * g + c)] = -1 + (2 * (c + 0.5)) / g;
        xs[2 * (r * g + c) + 1] = 1 - (2 * (r + 0.5)) / g;
      }
    }
    return onHost(() =>
      noGrad(() => {
        const hidden: Float32Array[] = [];
        let h = tensor(xs, { shape: [g * g, 2] });
        this.linears.forEach((lin, k) => {
          h = lin.forward(h);
          if (k < this.linears.length - 1) {
            h = activate(this.config.activation, h);
            hidden.push(Float32Array.from(h.data));
          }
        });
        return { output: Float32Array.from(this.predict(h).data), hidden };
      }),
    );
  }

  /** gradcheck on the whole network and loss, in float64, for the last batch (at most 16 rows). */
  gradcheck(): GradcheckSummary {
    return onHost(() => this.gradcheckOnHost());
  }

  private gradcheckOnHost(): GradcheckSummary {
    const batch = this.lastBatch ?? this.tensors(this.data.train, this.firstIndices());
    const rows = Math.min(16, batch.x.shape[0]);
    const x = tensor(batch.x.data.slice(0, rows * 2), { shape: [rows, 2], dtype: 'float64' });
    const t = tensor(batch.t.data.slice(0, rows), { shape: [rows, 1], dtype: 'float64' });
    const params = this.parameters();
    const last = this.linears.length - 1;
    const fn = (xi: Tensor, ...ps: Tensor[]) => {
      let h = xi;
      for (let k = 0; k <= last; k++) {
        h = h.matmul(ps[2 * k]).add(ps[2 * k + 1]);
        if (k < last) h = activate(this.config.activation, h);
      }
      return this.lossOf(h, t);
    };
    const start = performance.now();
    const report = gradcheck(fn, [x, ...params], { raise: false });
    return {
      ok: report.ok,
      maxRelError: report.maxRelError,
      maxAbsError: report.maxAbsError,
      elements: x.size + params.reduce((s, p) => s + p.size, 0),
      failures: report.failures.length,
      ms: performance.now() - start,
    };
  }
}

/** Relative gaps between the seeds' formulas, computed here with plain loops, and autograd's values. */
function residuals(c: Omit<LayerCapture, 'residual'>, dyRef: ArrayLike<number>): LayerCapture['residual'] {
  const [n, inF] = c.x.shape;
  const outF = c.W.shape[1];
  const dW = new Float64Array(inF * outF);
  const db = new Float64Array(outF);
  const dx = new Float64Array(n * inF);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < outF; j++) {
      const g = c.dy.data[r * outF + j];
      db[j] += g;
      for (let i = 0; i < inF; i++) {
        dW[i * outF + j] += c.x.data[r * inF + i] * g;
        dx[r * inF + i] += g * c.W.data[i * outF + j];
      }
    }
  }
  const gap = (ref: ArrayLike<number>, got: Float32Array) => {
    let d = 0;
    let m = 1e-12;
    for (let i = 0; i < got.length; i++) {
      d = Math.max(d, Math.abs(ref[i] - got[i]));
      m = Math.max(m, Math.abs(got[i]));
    }
    return d / m;
  };
  return { dW: gap(dW, c.dW.data), db: gap(db, c.db.data), dx: gap(dx, c.dx.data), dy: gap(dyRef, c.dy.data) };
}
