// Optimizer base: the parameters, the learning rate (schedulers change .lr), per-parameter
// state buffers, and state save/restore for checkpoints. Updates run on the tensors' memory,
// outside the graph: the built-in optimizers through kernels over cells (so on a device too), a
// subclass's update() on host arrays (a host step on a device backend).

import { allocCell, hostData, markHostWritten, type Cell } from '../cells.js';
import type { Tensor, Data } from '../tensor.js';
import { hostStep } from '../backend/index.js';
import { sameShape, shapeStr } from '../shape.js';

/** An optimizer's state, as stateDict() gives it and loadStateDict() (and checkpoints) take it: plain data. */
export type OptimizerState = {
  /** The learning rate. */
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

/**
 * The base of optimizers (torch.optim.Optimizer): the parameters, the learning rate (which
 * schedulers change), per-parameter state buffers, zeroGrad, step, and the state for checkpoints.
 * A subclass implements update(), which writes the parameter's data in place, outside the graph
 * (on a device backend it runs on the host arrays, reported in backendInfo().fallbacks).
 *
 * @example
 * ```ts
 * class PlainSGD extends optim.Optimizer {
 *   constructor(params: Iterable<Tensor>, lr: number) { super(params, lr, 'PlainSGD'); }
 *   protected override update(p: Data, g: Data) { for (let i = 0; i < p.length; i++) p[i] -= this.lr * g[i]; }
 * }
 * ```
 */
export abstract class Optimizer {
  /** The parameters it updates, in order (each requires grad). */
  readonly params: Tensor[];
  /** The learning rate; schedulers set it between steps. */
  lr: number;
  /**
   * Updates each parameter has had. Counted per parameter, as PyTorch does: a parameter without
   * a gradient at a step is skipped, and Adam's bias correction uses its own count.
   */
  steps: number[];
  /** Per parameter index, its named state buffers (momentum, moments, ...); subclasses use buffer(). @internal */
  protected state: Map<string, Cell>[];

  /** Takes the parameters (at least one, each requiring grad) and a finite learning rate ≥ 0; `name` is the subclass's, for messages. */
  constructor(params: Iterable<Tensor>, lr: number, name: string) {
    this.params = [...params];
    if (this.params.length === 0) throw new Error(`${name}: got an empty parameter list`);
    const seen = new Map<Cell, number>();
    this.params.forEach((p, i) => {
      if (!p.requiresGrad) throw new Error(`${name}: parameter ${i} does not require grad`);
      // Its memory would be stepped twice per step (PyTorch refuses it too).
      const first = seen.get(p.cell);
      if (first !== undefined) throw new Error(`${name}: parameter ${i} is parameter ${first} again (the same memory)`);
      seen.set(p.cell, i);
    });
    if (!(lr >= 0 && Number.isFinite(lr)))
      throw new Error(`${name}: invalid learning rate ${lr} (expected a finite number ≥ 0)`);
    this.lr = lr;
    this.state = this.params.map(() => new Map());
    this.steps = this.params.map(() => 0);
  }

  /** Applies one update from the parameters' current .grad (parameters without one are skipped). */
  step(): void {
    this.params.forEach((p, i) => {
      if (!p.grad) return;
      if (p.grad.dtype !== p.dtype || !sameShape(p.grad.shape, p.shape))
        throw new Error(
          `${this.constructor.name}: parameter ${i} ${p.dtype} ${shapeStr(p.shape)} has a gradient ${p.grad.dtype} ${shapeStr(p.grad.shape)}: a gradient has its parameter's shape and dtype`,
        );
      this.steps[i]++;
      this.updateCells(p.cell, p.grad.cell, i);
    });
  }

  /**
   * One update of parameter `index` in place: its data `param` from its gradient `grad` (both of
   * the parameter's length and dtype); steps[index] already counts this step. What a subclass
   * implements (the built-in optimizers implement updateCells instead).
   */
  protected update(param: Data, grad: Data, index: number): void {
    throw new Error(
      `${this.constructor.name}: an Optimizer subclass implements update(param, grad, index) (parameter ${index}, ${param.length} values, gradient ${grad.length})`,
    );
  }

  /**
   * One update of parameter `index` on its memory and its gradient's, through kernels over cells
   * (the built-in optimizers); by default update() on the host arrays, with the state buffers.
   * @internal
   */
  protected updateCells(param: Cell, grad: Cell, index: number): void {
    const buffers = [...this.state[index].values()];
    hostStep(`${this.constructor.name}.update`, [grad], [param, ...buffers], (g, p) => this.update(p, g, index));
  }

  /** A named state buffer of parameter i as a host array, created (zero-filled) on first use. */
  protected buffer(i: number, name: string): Data {
    return hostData(this.cell(i, name), `${this.constructor.name} buffer ${name}`);
  }

  /** A named state buffer of parameter i, created (zero-filled) on first use, as a cell for kernels. @internal */
  protected cell(i: number, name: string): Cell {
    let b = this.state[i].get(name);
    if (!b) {
      const p = this.params[i];
      b = allocCell(p.dtype, p.size);
      this.state[i].set(name, b);
    }
    return b;
  }

  /** Every state buffer's cell: what fit keeps when it frees a training step's device memory. @internal */
  stateCells(): Cell[] {
    return this.state.flatMap((m) => [...m.values()]);
  }

  /** Whether parameter i has the named state buffer yet (a first step creates it). */
  protected hasBuffer(i: number, name: string): boolean {
    return this.state[i].has(name);
  }

  /**
   * Forgets the parameters' gradients (sets .grad to null, PyTorch's set_to_none), before the next
   * backward pass.
   *
   * @example
   * ```ts
   * opt.zeroGrad(); lossFn.forward(model.forward(x), y).backward(); opt.step();
   * ```
   */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** A copy of the learning rate, the step counts and every state buffer (as torch's state_dict()), for checkpoints. */
  stateDict(): OptimizerState {
    return {
      lr: this.lr,
      steps: [...this.steps],
      // copies: later steps do not change them
      buffers: this.state.map((m, i) =>
        Object.fromEntries(
          [...m].map(([k, v]) => [k, hostData(v, `stateDict: buffer ${k} of parameter ${i}`).slice()]),
        ),
      ),
    };
  }

  /**
   * Restores a stateDict() of an optimizer over the same parameters (as torch's load_state_dict()); throws when the parameter count or a buffer's length differs.
   */
  loadStateDict(s: OptimizerState): void {
    if (s.buffers.length !== this.params.length || s.steps.length !== this.params.length) {
      throw new Error(
        `loadStateDict: optimizer state has ${s.buffers.length} parameters, this optimizer has ${this.params.length}`,
      );
    }
    this.steps = [...s.steps];
    this.lr = s.lr;
    this.state = s.buffers.map((bufs, i) => {
      const m = new Map<string, Cell>();
      for (const [k, v] of Object.entries(bufs)) {
        if (v.length !== this.params[i].size)
          throw new Error(
            `loadStateDict: buffer ${k} of parameter ${i} has ${v.length} values, expected ${this.params[i].size}`,
          );
        const b = allocCell(this.params[i].dtype, v.length);
        hostData(b, 'loadStateDict').set(v);
        markHostWritten(b);
        m.set(k, b);
      }
      return m;
    });
  }
}
