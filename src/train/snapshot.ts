// The training-loop state inside a checkpoint (extra.fit). encodeSnapshot keeps the JSON header
// small: what grows with the run (the history, an epoch's sample order, callbacks' weights) goes
// into binary tensors, so a long run or a large model never meets the header cap.
// readSnapshot validates it like the rest of the file before fit uses any of it. A checkpoint is
// untrusted input: a position past the epoch's batches, an order that is not a permutation of the
// samples or a callback state of the wrong shape would otherwise surface as a wrong run or an
// error deep inside the loop. It also reads checkpoints of earlier versions, which held all of it
// as JSON (history and order as lists, early stopping's best weights as number arrays).

import { Tensor } from '../tensor.js';
import { ModelFileError } from '../io/errors.js';
import { CHECKPOINT_KEY } from '../io/checkpoint.js';
import { showValue } from '../show.js';
import type { Callback, EpochLogs, EpochPosition, FitSnapshot } from './types.js';

/** The checkpoint's JSON (extra.fit) and tensors (named after "fit.") of a snapshot. */
export function encodeSnapshot(snap: FitSnapshot): { json: Record<string, unknown>; tensors: Record<string, Tensor> } {
  // The history as a table [epochs, keys] of float64: every key any epoch has (one missing from
  // an epoch, which fit never makes, reads back as NaN).
  const keys = [...new Set(snap.history.flatMap((logs) => Object.keys(logs)))];
  const table = new Float64Array(snap.history.length * keys.length);
  snap.history.forEach((logs, i) => keys.forEach((k, j) => (table[i * keys.length + j] = logs[k] ?? NaN)));
  const tensors: Record<string, Tensor> = {
    'fit.history': new Tensor(table, [snap.history.length, keys.length], 'float64'),
  };
  let position: Record<string, unknown> | null = null;
  if (snap.position) {
    const { order, ...rest } = snap.position;
    tensors['fit.order'] = new Tensor(Float64Array.from(order), [order.length], 'float64');
    position = rest;
  }
  snap.callbackTensors.forEach((ts, i) => {
    for (const [name, t] of Object.entries(ts)) tensors[`fit.callbacks.${i}.${name}`] = t;
  });
  return { json: { historyKeys: keys, position, callbacks: snap.callbacks }, tensors };
}

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

export function readSnapshot(
  extra: unknown,
  tensors: Record<string, Tensor>,
  file: string,
  limits: SnapshotLimits,
): FitSnapshot {
  const fail = (field: string, problem: string) =>
    new ModelFileError(file, problem, `${CHECKPOINT_KEY}.extra.fit${field}`);
  const fit = isObject(extra) ? extra.fit : undefined;
  if (!isObject(fit))
    throw new ModelFileError(file, 'not a checkpoint written by fit (no loop state)', `${CHECKPOINT_KEY}.extra.fit`);
  const { callbacks } = fit;
  const history = 'historyKeys' in fit ? historyTable(fit.historyKeys, tensors['fit.history'], file) : fit.history;
  const position =
    isObject(fit.position) && !('order' in fit.position)
      ? { ...fit.position, order: orderOf(tensors['fit.order'], file) }
      : fit.position;

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
  const callbackTensors = callbacks.map((): Record<string, Tensor> => ({}));
  for (const [name, t] of Object.entries(tensors)) {
    const m = /^fit\.callbacks\.(\d+)\.(.+)$/.exec(name);
    if (m && Number(m[1]) < callbacks.length) callbackTensors[Number(m[1])][m[2]] = t;
    else if (name !== 'fit.history' && name !== 'fit.order')
      throw new ModelFileError(file, 'unexpected tensor in the checkpoint', `extra.${name}`);
  }
  return { history: history as EpochLogs[], position: position as EpochPosition | null, callbacks, callbackTensors };
}

/** The history's table [epochs, keys] back as epoch logs; readSnapshot then checks them. */
function historyTable(keys: unknown, table: Tensor | undefined, file: string): EpochLogs[] {
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string') || new Set(keys).size !== keys.length)
    throw new ModelFileError(file, 'expected a list of distinct names', `${CHECKPOINT_KEY}.extra.fit.historyKeys`);
  if (!table || table.rank !== 2 || table.shape[1] !== keys.length) {
    throw new ModelFileError(
      file,
      `expected a tensor [epochs, ${keys.length}] (one column per history key), got ${table ? `[${table.shape.join(',')}]` : 'none'}`,
      'extra.fit.history',
    );
  }
  const rows = table.shape[0];
  return Array.from({ length: rows }, (_, i) =>
    Object.fromEntries(keys.map((k: string, j) => [k, table.data[i * keys.length + j]])),
  ) as EpochLogs[];
}

/** An epoch's sample order from its tensor; readPosition then checks that it is a permutation. */
function orderOf(t: Tensor | undefined, file: string): unknown {
  if (!t || t.rank !== 1)
    throw new ModelFileError(file, 'expected the sample order as a tensor [samples]', 'extra.fit.order');
  return Array.from(t.data);
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
      callbacks[i].loadStateDict?.(s, snap.callbackTensors[i]);
    } catch (e) {
      throw new ModelFileError(file, (e as Error).message, `${CHECKPOINT_KEY}.extra.fit.callbacks[${i}]`);
    }
  });
}
