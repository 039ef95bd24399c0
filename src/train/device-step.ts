// fit's training steps on a device backend (WebGPU, docs/webgpu.md): one read per step, and the
// step's device memory freed at its end. On the CPU, fit checks the loss, the gradients and the
// updated parameters synchronously; on a device each check would be a round trip, so here:
//  - the loss and the outputs (for the metrics) are read together, once per step, before the
//    backward pass (a non-finite loss still stops training before it reaches the weights);
//  - the parameters after an update are tested on the device by one flag, Σ sum(θ · 0) (0 when
//    every value is finite, NaN otherwise), read with the next step's loss, and at the end of the
//    epoch;
//  - every cell the step made is freed at its end except the gradients and the optimizer state
//    (the garbage collector feels no device memory pressure, so it would not free them in time).

import { getBackend, setBackend } from '../backend/index.js';
import { collectCells, collecting, readHostData, releaseCells, type Cell } from '../cells.js';
import { readAll, tensor, type Tensor } from '../tensor.js';
import { noGrad } from '../autograd/mode.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { locateNonFiniteForward, locateNonFiniteGrad, NonFiniteError } from './nonfinite.js';

/** Where a step is, for the messages: epoch and step from 1. */
interface At {
  epoch: number;
  step: number;
}

export class DeviceSteps {
  private cells: Cell[] = [];
  private outer: Cell[] | null = null;
  private open = false;
  private flag: Tensor | null = null;
  private zero: Tensor | null = null;
  /** The last update not yet checked. */
  private unchecked: At | null = null;

  constructor(
    private readonly model: Module,
    private readonly optimizer: Optimizer,
  ) {}

  /** Opens a step (call it before zeroGrad): the flag of the previous update, then collecting the step's cells. */
  begin(): void {
    this.outer = collectCells(this.cells);
    this.open = true;
    this.flag = this.unchecked ? this.finiteFlag() : null;
  }

  /** Stops collecting, where a step that threw left its scope open. */
  close(): void {
    if (!this.open) return;
    collectCells(this.outer);
    this.open = false;
  }

  /** Reads the loss (and the outputs, which the metrics then read on the host); throws if the previous update was not finite. */
  async readLoss(loss: Tensor, out: Tensor): Promise<number> {
    const values = await readAll(this.flag ? [loss, out, this.flag] : [loss, out]);
    if (this.flag) await this.check(values[2][0]);
    return values[0][0];
  }

  /**
   * Closes a step that made an update at `at`: frees what it made, and the batch (made before the
   * step opened), but the gradients and the optimizer state.
   */
  end(at: At, batch: readonly Tensor[]): void {
    this.close();
    const keep = new Set<Cell>(this.optimizer.stateCells());
    for (const p of this.model.parameters()) if (p.grad) keep.add(p.grad.cell);
    this.cells = releaseCells([...this.cells, ...batch.map((t) => t.cell)], keep);
    this.unchecked = at;
  }

  /** At an epoch's end: checks the last update, then reads the parameters, buffers and optimizer state to the host (callbacks and checkpoints read them synchronously). */
  async finishEpoch(): Promise<void> {
    if (this.unchecked) {
      const cells: Cell[] = [];
      const flag = collecting(cells, () => this.finiteFlag());
      await this.check((await flag.read())[0]);
      releaseCells(cells, new Set());
    }
    await readHostData([...Object.values(this.model.stateDict()).map((t) => t.cell), ...this.optimizer.stateCells()]);
  }

  /** Where a non-finite loss came from: the forward pass again on js, over the parameters read back. */
  async locateForward(x: Tensor): Promise<string> {
    await readAll(this.model.parameters());
    const name = getBackend();
    void setBackend('js');
    try {
      return locateNonFiniteForward(this.model, x);
    } finally {
      void setBackend(name);
    }
  }

  // 0 when every parameter value is finite, NaN otherwise (∞ · 0 and NaN · 0 are NaN). A
  // non-finite gradient reaches the parameters through the update (θ − η·g), so they suffice;
  // check() then names the gradient when it is the cause.
  private finiteFlag(): Tensor {
    const tensors = this.model.parameters();
    this.zero ??= tensor(0, { dtype: this.model.dtype }); // made once: uploaded once
    const zero = this.zero;
    return noGrad(() => tensors.reduce((f: Tensor, t) => f.add(t.mul(zero).sum()), zero));
  }

  private async check(flag: number): Promise<void> {
    const at = this.unchecked!;
    this.unchecked = null;
    if (Number.isFinite(flag)) return;
    const params = this.model.parameters();
    await readAll([...params, ...params.flatMap((p) => (p.grad ? [p.grad] : []))]);
    const badGrad = locateNonFiniteGrad(this.model);
    if (badGrad)
      throw new NonFiniteError(
        `training stopped: non-finite gradient at epoch ${at.epoch}, step ${at.step}: ${badGrad}`,
        at.epoch,
        at.step,
      );
    const bad = this.model.namedParameters().find(([, p]) => p.data.some((v) => !Number.isFinite(v)));
    throw new NonFiniteError(
      `training stopped: the update at epoch ${at.epoch}, step ${at.step} made parameters non-finite: ${bad ? bad[0] : 'a parameter'}`,
      at.epoch,
      at.step,
    );
  }
}
