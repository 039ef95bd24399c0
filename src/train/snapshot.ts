// readSnapshot: the training-loop state inside a checkpoint (extra.fit), validated like the rest
// of the file before fit uses any of it. A checkpoint is untrusted input: a position past the
// epoch's batches, an order that is not a permutation of the samples or a callback state of the
// wrong shape would otherwise surface as a wrong run or an error deep inside the loop.

import { ModelFileError } from '../io/errors.js';
import { CHECKPOINT_KEY } from '../io/checkpoint.js';
import { showValue } from '../show.js';
import type { Callback, EpochLogs, EpochPosition, FitSnapshot } from './types.js';

export interface SnapshotLimits {
  /** The checkpoint's epoch: completed epochs, as many as the history holds. */
  epoch: number;
  /** Batches per epoch and samples of the training data. */
  batches: number;
  samples: number;
  callbacks: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number =>
  Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

export function readSnapshot(extra: unknown, file: string, limits: SnapshotLimits): FitSnapshot {
  const fail = (field: string, problem: string) =>
    new ModelFileError(file, problem, `${CHECKPOINT_KEY}.extra.fit${field}`);
  const fit = isObject(extra) ? extra.fit : undefined;
  if (!isObject(fit))
    throw new ModelFileError(file, 'not a checkpoint written by fit (no loop state)', `${CHECKPOINT_KEY}.extra.fit`);
  const { history, position, callbacks } = fit;

  if (!Array.isArray(history) || history.length !== limits.epoch) {
    throw fail(
      '.history',
      `expected a list of ${limits.epoch} epoch logs (one per completed epoch), got ${showValue(history, 60)}`,
    );
  }
  history.forEach((logs, i) => {
    // Values are numbers; JSON writes a NaN metric as null.
    if (
      !isObject(logs) ||
      !Object.values(logs).every((v) => v === null || typeof v === 'number') ||
      logs.epoch !== i + 1
    ) {
      throw fail(`.history[${i}]`, `expected the logs of epoch ${i + 1} (numbers by name), got ${showValue(logs, 60)}`);
    }
  });

  if (position !== null) readPosition(position, limits, fail);

  if (!Array.isArray(callbacks) || callbacks.length !== limits.callbacks) {
    throw fail('.callbacks', `expected the state of ${limits.callbacks} callbacks, got ${showValue(callbacks, 60)}`);
  }
  return { history: history as EpochLogs[], position: position as EpochPosition | null, callbacks };
}

function readPosition(
  p: unknown,
  limits: SnapshotLimits,
  fail: (field: string, problem: string) => ModelFileError,
): void {
  if (!isObject(p)) throw fail('.position', `expected null or the position within an epoch, got ${showValue(p, 60)}`);
  if (p.epoch !== limits.epoch)
    throw fail('.position.epoch', `is ${showValue(p.epoch)}, expected ${limits.epoch}, the epoch in progress`);
  if (!isCount(p.batch, limits.batches))
    throw fail(
      '.position.batch',
      `is ${showValue(p.batch)}, expected an integer in 0..${limits.batches} (batches per epoch)`,
    );
  if (!isCount(p.samples, limits.samples))
    throw fail('.position.samples', `is ${showValue(p.samples)}, expected an integer in 0..${limits.samples}`);
  if (!isTime(p.seconds)) throw fail('.position.seconds', `is ${showValue(p.seconds)}, expected a non-negative number`);
  if (
    !isObject(p.sums) ||
    !Object.values(p.sums).every((v) => typeof v === 'number' && Number.isFinite(v)) ||
    typeof p.sums.loss !== 'number'
  ) {
    throw fail('.position.sums', `expected finite running sums by name (loss, metrics), got ${showValue(p.sums, 60)}`);
  }
  const order = p.order;
  if (!Array.isArray(order) || order.length !== limits.samples) {
    throw fail(
      '.position.order',
      `expected a permutation of the ${limits.samples} training samples, got ${Array.isArray(order) ? `${order.length} entries` : showValue(order, 60)}`,
    );
  }
  const seen = new Uint8Array(limits.samples);
  order.forEach((v, i) => {
    if (!isCount(v, limits.samples - 1) || seen[v])
      throw fail('.position.order', `entry ${i} is ${showValue(v)}: not a permutation of 0..${limits.samples - 1}`);
    seen[v] = 1;
  });
}

/** Hands each callback its saved state; a state the callback refuses is a ModelFileError naming its place. */
export function restoreCallbacks(snap: FitSnapshot, callbacks: Callback[], file: string): void {
  snap.callbacks.forEach((s, i) => {
    if (s === null) return;
    try {
      callbacks[i].loadStateDict?.(s);
    } catch (e) {
      throw new ModelFileError(file, (e as Error).message, `${CHECKPOINT_KEY}.extra.fit.callbacks[${i}]`);
    }
  });
}
