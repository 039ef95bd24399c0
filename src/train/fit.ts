// fit in Node: the loop of fit-loop.ts, plus what needs Node: `resumeFrom`, a checkpoint file
// written by ModelCheckpoint that the run continues from to exactly the weights of an unbroken
// run, and `verbose`, the terminal's progress display (on by default on a TTY, as Keras' verbose=1).

import type { Module } from '../nn/module.js';
import { loadCheckpoint } from '../io/index.js';
import { fitLoop, type FitOptions as LoopOptions, type LoopExtras } from './fit-loop.js';
import { readSnapshot, restoreCallbacks } from './snapshot.js';
import { Progress } from './progress.js';
import type { FitResult } from './types.js';

/** Options of fit: the data, the loss and optimizer, the epochs, and optional callbacks, metrics, clipping, augmentation, resumption and display. */
export interface FitOptions extends LoopOptions {
  /** A checkpoint written by ModelCheckpoint: model, optimizer, PRNG and loop state are restored. */
  resumeFrom?: string;
  /** Called with the checkpoint's extra data after resuming, before training; may throw to refuse. */
  onResume?: (extra: Record<string, unknown>) => void;
  /**
   * Show progress on standard output (a Progress callback: a live bar on a terminal, a line per
   * epoch elsewhere); default: on when standard output is a terminal and no Progress is among the
   * callbacks, else off.
   */
  verbose?: boolean;
}

/**
 * Trains a model, as Keras' fit: per batch zeroGrad, forward, the loss, backward, optional
 * clipping and an optimizer step; per epoch the training metrics, validation, and the callbacks. A
 * NaN or infinite loss, gradient or update stops it with a NonFiniteError naming the step and the
 * layer; an aborted `signal` stops it after the current step (checkpoints written first), and
 * `resumeFrom` continues from a checkpoint to exactly the weights of an unbroken run. It lets the
 * event loop turn between steps, so timers and I/O go on while it trains; on a terminal it shows
 * a progress bar unless `verbose: false`.
 *
 * @example
 * ```ts
 * const model = nn.mlp({ inputs: 784, hidden: [128], outputs: 10 });
 * const { history } = await fit(model, { data: trainSet, validation: testSet, loss: nn.crossEntropy, optimizer: new optim.Adam(model.parameters()), epochs: 5, metrics: ['accuracy'] });
 * ```
 */
export function fit(model: Module, options: FitOptions): Promise<FitResult> {
  const { resumeFrom: file, onResume } = options;
  const shown = (options.callbacks ?? []).some((c) => c instanceof Progress);
  const verbose = options.verbose ?? (!shown && Boolean(process.stdout.isTTY));
  const extras: LoopExtras = {
    display: verbose && !shown ? new Progress() : undefined,
    resume: file
      ? ({ batches, samples, callbacks }) => {
          const { epoch, extra, tensors } = loadCheckpoint(file, { model, optimizer: options.optimizer });
          const snap = readSnapshot(extra, tensors, file, { epoch, batches, samples, callbacks: callbacks.length });
          onResume?.(extra as Record<string, unknown>);
          restoreCallbacks(snap, callbacks, file);
          return { epoch, history: snap.history, position: snap.position };
        }
      : undefined,
  };
  return fitLoop(model, options, extras);
}
