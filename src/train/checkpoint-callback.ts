// ModelCheckpoint: the fit callback that writes checkpoints (Node: it writes files), which
// `resumeFrom` continues from.

import { saveCheckpoint } from '../io/index.js';
import { encodeSnapshot } from './snapshot.js';
import type { Callback, FitContext } from './types.js';

/**
 * Writes a checkpoint (model, optimizer, epoch, PRNG state and the loop's own state) after an
 * epoch and when training is interrupted; fit runs it after the other callbacks. A checkpoint
 * holds the whole history, so writing one after every epoch of a long run of short epochs would
 * cost time quadratic in the epochs: an epoch's write is skipped while the writes would take
 * more than `maxTimeShare` of the time. The first and last epoch, an early stop and an interrupt
 * always write.
 */
export class ModelCheckpoint implements Callback {
  /** After the other callbacks: a checkpoint saves the state they have just updated. */
  readonly runsLast = true;
  /** How long the last write took and when it ended (performance.now(), ms). */
  private last: { ms: number; end: number } | null = null;

  /**
   * A callback writing checkpoints to `path`, each replacing the last.
   * @param path - The checkpoint file.
   * @param options - `extra`, your own JSON for each checkpoint; `maxTimeShare`.
   */
  constructor(
    readonly path: string,
    readonly options: {
      /** Your own JSON for each checkpoint (e.g. the run's settings), beside the loop state. */
      extra?: () => Record<string, unknown>;
      /** The largest share of the time spent writing checkpoints, in (0, 1] (default 0.1; 1: after every epoch). */
      maxTimeShare?: number;
    } = {},
  ) {
    const share = options.maxTimeShare ?? 0.1;
    if (!(share > 0 && share <= 1)) throw new Error(`ModelCheckpoint: maxTimeShare must be in (0, 1], got ${share}`);
  }

  private write(ctx: FitContext): void {
    const started = performance.now();
    const { json, tensors } = encodeSnapshot(ctx.snapshot());
    const extra = { ...this.options.extra?.(), fit: json };
    saveCheckpoint(this.path, {
      model: ctx.model,
      optimizer: ctx.optimizer,
      epoch: ctx.history.length,
      extra,
      tensors,
    });
    const end = performance.now();
    this.last = { ms: end - started, end };
  }

  /** Writes the checkpoint after the epoch, unless it is too soon after the last one. */
  onEpochEnd(ctx: FitContext): void {
    const share = this.options.maxTimeShare ?? 0.1;
    const final = ctx.stopTraining || ctx.history.length >= ctx.epochs;
    if (!final && this.last && performance.now() - this.last.end < this.last.ms * (1 / share - 1)) return;
    this.write(ctx);
  }

  /** Writes the checkpoint where training was interrupted, so `resumeFrom` continues from there. */
  onInterrupt(ctx: FitContext): void {
    this.write(ctx);
  }
}
