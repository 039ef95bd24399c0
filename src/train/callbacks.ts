// Callbacks of fit that need no files: early stopping and learning-rate schedules (the progress
// display is progress.ts, checkpoints checkpoint-callback.ts).
// A callback with state (stateDict/loadStateDict) has it saved in checkpoints, so a resumed run
// continues with the same patience counters and schedule positions.

import {
  LRScheduler,
  OneCycleLR,
  ReduceLROnPlateau,
  type PlateauState,
  type SchedulerState,
} from '../optim/schedulers.js';
import { decodeCount, decodeNumber, encodeNumber, type JsonNumber } from '../optim/json-number.js';
import { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { nonFiniteProblem } from '../nn/module.js';
import type { Callback, EpochLogs, FitContext, FitResult } from './types.js';

/** Options of EarlyStopping (Keras' EarlyStopping arguments, in camelCase). */
export interface EarlyStoppingOptions {
  /** A key of the epoch logs, default 'valLoss'. */
  monitor?: string;
  /** 'min': the value should fall; 'max': rise (default 'max' when the monitor's name has 'acc' in it, else 'min'). */
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /**
   * Keep a copy of the weights (and buffers) of the best epoch and load it back when training
   * ends, stopped early or not (Keras' restore_best_weights); an interrupted run keeps its last
   * weights so that it can be resumed. The copy is part of the state a checkpoint saves.
   */
  restoreBestWeights?: boolean;
}

/**
 * A fit callback that stops training when the monitored epoch log (default 'valLoss') has not
 * improved by minDelta for `patience` epochs, as Keras' EarlyStopping (torch has no built-in);
 * with restoreBestWeights it loads the best epoch's weights back at the end.
 *
 * @example
 * ```ts
 * const stop = new train.EarlyStopping({ monitor: 'valLoss', patience: 3, restoreBestWeights: true });
 * await fit(model, { data: trainSet, validation: valSet, loss: nn.crossEntropy, optimizer, epochs: 100, callbacks: [stop] });
 * ```
 */
export class EarlyStopping implements Callback {
  /** The epoch log it watches. */
  readonly monitor: string;
  /** Whether the value should fall ('min') or rise ('max'). */
  readonly mode: 'min' | 'max';
  /** Epochs without improvement tolerated. */
  readonly patience: number;
  /** The least change that counts as an improvement. */
  readonly minDelta: number;
  /** Whether the best epoch's weights are loaded back when training ends. */
  readonly restoreBestWeights: boolean;
  /** The best value so far (±Infinity at the start). */
  best: number;
  /** Epochs since the last improvement. */
  wait = 0;
  /** The epoch after which it stopped training, or null. */
  stoppedEpoch: number | null = null;
  /** The epoch whose value is `best` (1-based), null before the first. */
  bestEpoch: number | null = null;
  /** With restoreBestWeights, a copy of the best epoch's state dict. */
  private bestWeights: Record<string, Tensor> | null = null;
  /** The epoch whose weights were loaded back when training ended; null when none were. */
  restoredEpoch: number | null = null;

  /** An early stop on these options. */
  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? 'valLoss';
    this.mode = options.mode ?? (/acc|r2/i.test(this.monitor) ? 'max' : 'min');
    this.patience = options.patience ?? 5;
    this.minDelta = options.minDelta ?? 0;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** A resumed run's saved best weights must fit this model: checked before training, not at its end. */
  onTrainBegin(ctx: FitContext): void {
    if (!this.bestWeights) return;
    const state = ctx.model.stateDict();
    for (const [name, t] of Object.entries(state)) {
      const saved = this.bestWeights[name];
      if (!saved || saved.size !== t.size) {
        throw new Error(
          `EarlyStopping: the saved best weights have ${saved ? `${saved.size} values` : 'no entry'} for ${name}, the model's ${shapeStr(t.shape)} has ${t.size}`,
        );
      }
    }
  }

  /**
   * Compares the epoch's value with the best, and sets ctx.stopTraining after `patience` epochs without improvement; throws when the logs lack the monitored key.
   */
  onEpochEnd(ctx: FitContext, logs: EpochLogs): void {
    const v = logs[this.monitor];
    if (v === undefined)
      throw new Error(`EarlyStopping: the epoch logs have no '${this.monitor}' (have ${Object.keys(logs).join(', ')})`);
    const better = this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta;
    if (better) {
      this.best = v;
      this.bestEpoch = logs.epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = copyState(ctx);
    } else if (++this.wait >= this.patience) {
      ctx.stopTraining = true;
      this.stoppedEpoch = logs.epoch;
    }
  }

  onTrainEnd(ctx: FitContext, result: FitResult): void {
    if (!this.bestWeights || result.interrupted || this.bestEpoch === result.epochs) return;
    const state: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(ctx.model.stateDict())) {
      const values = this.bestWeights[name].data;
      state[name] = new Tensor(
        t.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values),
        t.shape,
        t.dtype,
      );
    }
    ctx.model.loadStateDict(state);
    this.restoredEpoch = this.bestEpoch;
  }

  /** JSON: best starts at ±Infinity, so it is encoded (see optim/json-number.ts). */
  stateDict(): {
    /** The best value so far, encoded for JSON. */
    best: JsonNumber;
    /** Epochs since the last improvement. */
    wait: number;
    /** The epoch of the best value, or null. */
    bestEpoch: number | null;
  } {
    return { best: encodeNumber(this.best), wait: this.wait, bestEpoch: this.bestEpoch };
  }

  /** With restoreBestWeights, the best epoch's tensors, named "bestWeights.<name>" (checkpoints store them in binary). */
  stateTensors(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(this.bestWeights ?? {})) out[`bestWeights.${name}`] = t;
    return out;
  }

  /**
   * Validates first: the state may come from a checkpoint file. The best weights come as
   * tensors; an earlier version's checkpoint held them as number arrays in the JSON (`bestWeights`), also read.
   */
  loadStateDict(s: unknown, tensors: Record<string, Tensor> = {}): void {
    const { best, wait, bestEpoch, bestWeights } = (s ?? {}) as {
      best?: unknown;
      wait?: unknown;
      bestEpoch?: unknown;
      bestWeights?: unknown;
    };
    const decoded = decodeNumber(best, 'EarlyStopping.loadStateDict: best');
    const decodedWait = decodeCount(wait, 'EarlyStopping.loadStateDict: wait');
    const epoch =
      bestEpoch === undefined || bestEpoch === null
        ? null
        : decodeCount(bestEpoch, 'EarlyStopping.loadStateDict: bestEpoch');
    const weights = bestWeights === undefined ? readBestTensors(tensors) : readStateArrays(bestWeights);
    this.best = decoded;
    this.wait = decodedWait;
    this.bestEpoch = epoch;
    this.bestWeights = weights;
  }
}

function copyState(ctx: FitContext): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(ctx.model.stateDict()))
    out[name] = new Tensor(t.data.slice(), t.shape, t.dtype);
  return out;
}

/** The best weights from a checkpoint's tensors "bestWeights.<name>" (null when there are none), finite. */
function readBestTensors(tensors: Record<string, Tensor>): Record<string, Tensor> | null {
  const out: Record<string, Tensor> = {};
  for (const [key, t] of Object.entries(tensors)) {
    if (!key.startsWith('bestWeights.')) throw new Error(`EarlyStopping.loadStateDict: unexpected tensor '${key}'`);
    const problem = nonFiniteProblem(t.data, 'best weights');
    if (problem) throw new Error(`EarlyStopping.loadStateDict: ${key}: ${problem}`);
    out[key.slice('bestWeights.'.length)] = t;
  }
  return Object.keys(out).length > 0 ? out : null;
}

/** The best weights as an earlier version's checkpoint held them: finite number arrays by name in the JSON. */
function readStateArrays(v: unknown): Record<string, Tensor> {
  const ok =
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((a) => Array.isArray(a) && a.every((x) => typeof x === 'number' && Number.isFinite(x)));
  if (!ok) throw new Error('EarlyStopping.loadStateDict: bestWeights: expected finite number arrays by tensor name');
  return Object.fromEntries(
    Object.entries(v as Record<string, number[]>).map(([name, a]) => [
      name,
      new Tensor(Float64Array.from(a), [a.length], 'float64'),
    ]),
  );
}

/**
 * Steps a scheduler: OneCycleLR after every batch, ReduceLROnPlateau after every epoch with the
 * monitored value (default 'valLoss', else 'loss'), the others after every epoch.
 */
export class LRSchedule implements Callback {
  /**
   * A callback stepping this scheduler at the right times.
   * @param scheduler - The scheduler to step.
   * @param options - What ReduceLROnPlateau monitors.
   */
  constructor(
    readonly scheduler: LRScheduler | ReduceLROnPlateau,
    readonly options: {
      /** The epoch log ReduceLROnPlateau monitors (default 'valLoss', else 'loss'). */
      monitor?: string;
    } = {},
  ) {}

  /** Steps a OneCycleLR. */
  onBatchEnd(): void {
    if (this.scheduler instanceof OneCycleLR) this.scheduler.step();
  }

  /** Steps ReduceLROnPlateau with the monitored value, or an epoch scheduler. */
  onEpochEnd(_ctx: FitContext, logs: EpochLogs): void {
    if (this.scheduler instanceof ReduceLROnPlateau) {
      const key = this.options.monitor ?? ('valLoss' in logs ? 'valLoss' : 'loss');
      this.scheduler.step(logs[key]);
    } else if (!(this.scheduler instanceof OneCycleLR)) this.scheduler.step();
  }

  /** The scheduler's state, for checkpoints. */
  stateDict(): unknown {
    return this.scheduler.stateDict();
  }

  /** Restores the scheduler's state from a checkpoint. */
  loadStateDict(s: unknown): void {
    if (this.scheduler instanceof ReduceLROnPlateau) this.scheduler.loadStateDict(s as PlateauState);
    else this.scheduler.loadStateDict(s as SchedulerState);
  }
}
