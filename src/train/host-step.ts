// Training steps that recycle their memory: what a step made (outputs, activations, intermediate
// gradients) goes back to the host array pool at its end (backend/pool.ts), except what the
// model and optimizer keep, so that a steady step takes its outputs from the pool instead of
// allocating, zero-filling and collecting them. fit does this for every step on a CPU backend
// (HostSteps); a hand-written loop does it with trainStep. A tensor a step made and released
// cannot be read after it: reading it throws, naming the step scope.

import { collectCells, collecting, releaseCells, type Cell } from '../cells.js';
import { Tensor } from '../tensor.js';
import { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';

/** What a step keeps: a module (its parameters, buffers and their gradients), an optimizer (its state), a tensor. */
export type Kept = Module | Optimizer | Tensor;

function keptCells(keep: readonly Kept[]): Set<Cell> {
  const cells = new Set<Cell>();
  for (const k of keep) {
    if (k instanceof Tensor) cells.add(k.cell);
    else if (k instanceof Module) {
      for (const p of k.parameters()) {
        cells.add(p.cell);
        if (p.grad) cells.add(p.grad.cell);
      }
      for (const [, b] of k.namedBuffers()) cells.add(b.cell);
    } else for (const c of k.stateCells()) cells.add(c);
  }
  return cells;
}

/** The tensors a step returns: the result itself, or those in an array or object it returns. */
function returned(result: unknown): Tensor[] {
  if (result instanceof Tensor) return [result];
  if (result === null || typeof result !== 'object') return [];
  return Object.values(result).filter((v): v is Tensor => v instanceof Tensor);
}

/**
 * Runs one step of a hand-written training loop and recycles the memory of every tensor it made,
 * except the tensors it returns (alone, or in an array or object) and what `keep` holds: a
 * module's parameters, buffers and gradients, an optimizer's state. Optional: without it the
 * garbage collector frees the same memory later, at a cost (a CNN or GPT step allocates tens
 * of MB). fit does this by itself.
 *
 * @example
 * ```ts
 * for (const [x, y] of loader) {
 *   const loss = trainStep(() => {
 *     opt.zeroGrad();
 *     const l = crossEntropy(model.forward(x), y);
 *     l.backward();
 *     opt.step();
 *     return l.item();   // a number: nothing of the step outlives it
 *   }, [model, opt]);
 * }
 * ```
 */
export function trainStep<T>(fn: () => T, keep: readonly Kept[] = []): T {
  const cells: Cell[] = [];
  const result = collecting(cells, fn);
  releaseCells(cells, keptCells([...keep, ...returned(result)]));
  return result;
}

/** fit's steps on a CPU backend: begin and end around each (fit reads the loss and metrics within it). */
export class HostSteps {
  private cells: Cell[] = [];
  private outer: Cell[] | null = null;
  private open = false;

  constructor(private readonly keep: readonly Kept[]) {}

  /** Opens a step: the cells made from now on are its own. */
  begin(): void {
    this.cells = [];
    this.outer = collectCells(this.cells);
    this.open = true;
  }

  /** Closes the step, returning what it made to the pool but what the model and optimizer keep. */
  end(): void {
    this.close();
    releaseCells(this.cells, keptCells(this.keep));
    this.cells = [];
  }

  /** Stops collecting (a step that threw keeps what it made: the collector frees it). */
  close(): void {
    if (!this.open) return;
    collectCells(this.outer);
    this.open = false;
    this.outer = null;
  }
}
