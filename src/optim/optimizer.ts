// Optimizer base: the parameters, the learning rate (schedulers change .lr), per-parameter
// state buffers, and state save/restore for checkpoints. Updates run on the raw data, outside
// the graph.

import type { Tensor, Data } from '../tensor.js';

export type OptimizerState = {
  lr: number;
  /** Per parameter index, the updates it has had. */
  steps: number[];
  /**
   * Per parameter index, named buffers (momentum, moments, ...) as typed arrays in the
   * parameter's dtype: a JavaScript array of a large model's buffer would be slow, and V8 arrays
   * stop near 2²⁷ elements. loadStateDict also takes plain arrays.
   */
  buffers: Record<string, ArrayLike<number>>[];
};

export abstract class Optimizer {
  readonly params: Tensor[];
  lr: number;
  /**
   * Updates each parameter has had. Counted per parameter, as PyTorch does: a parameter without
   * a gradient at a step is skipped, and Adam's bias correction uses its own count.
   */
  steps: number[];
  protected state: Map<string, Data>[];

  constructor(params: Iterable<Tensor>, lr: number, name: string) {
    this.params = [...params];
    if (this.params.length === 0) throw new Error(`${name}: got an empty parameter list`);
    this.params.forEach((p, i) => {
      if (!p.requiresGrad) throw new Error(`${name}: parameter ${i} does not require grad`);
    });
    if (!(lr >= 0 && Number.isFinite(lr))) throw new Error(`${name}: invalid learning rate ${lr} (expected a finite number ≥ 0)`);
    this.lr = lr;
    this.state = this.params.map(() => new Map());
    this.steps = this.params.map(() => 0);
  }

  /** Applies one update from the parameters' current .grad (parameters without one are skipped). */
  step(): void {
    this.params.forEach((p, i) => {
      if (!p.grad) return;
      this.steps[i]++;
      this.update(p.data, p.grad.data, i);
      p.markChanged();
    });
  }

  protected abstract update(param: Data, grad: Data, index: number): void;

  /** A named state buffer of parameter i, created (zero-filled) on first use. */
  protected buffer(i: number, name: string): Data {
    let b = this.state[i].get(name);
    if (!b) {
      const p = this.params[i].data;
      b = p instanceof Float64Array ? new Float64Array(p.length) : new Float32Array(p.length);
      this.state[i].set(name, b);
    }
    return b;
  }

  protected hasBuffer(i: number, name: string): boolean {
    return this.state[i].has(name);
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  stateDict(): OptimizerState {
    return {
      lr: this.lr,
      steps: [...this.steps],
      buffers: this.state.map((m) => Object.fromEntries([...m].map(([k, v]) => [k, v.slice()]))), // copies: later steps do not change them
    };
  }

  loadStateDict(s: OptimizerState): void {
    if (s.buffers.length !== this.params.length || s.steps.length !== this.params.length) {
      throw new Error(`loadStateDict: optimizer state has ${s.buffers.length} parameters, this optimizer has ${this.params.length}`);
    }
    this.steps = [...s.steps];
    this.lr = s.lr;
    this.state = s.buffers.map((bufs, i) => {
      const m = new Map<string, Data>();
      for (const [k, v] of Object.entries(bufs)) {
        if (v.length !== this.params[i].size) throw new Error(`loadStateDict: buffer ${k} of parameter ${i} has ${v.length} values, expected ${this.params[i].size}`);
        const b = this.buffer(i, k);
        b.set(v);
        m.set(k, b);
      }
      return m;
    });
  }
}
