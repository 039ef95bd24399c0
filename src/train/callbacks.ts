// Callbacks of fit: progress display, early stopping, learning-rate schedules, checkpoints.
// A callback with state (stateDict/loadStateDict) has it saved in checkpoints, so a resumed run
// continues with the same patience counters and schedule positions.

import { LRScheduler, OneCycleLR, ReduceLROnPlateau, type PlateauState, type SchedulerState } from '../optim/schedulers.js';
import { decodeCount, decodeNumber, encodeNumber, type JsonNumber } from '../optim/json-number.js';
import { saveCheckpoint } from '../io/index.js';
import { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import type { Callback, EpochLogs, FitContext, FitResult } from './types.js';

export interface EarlyStoppingOptions {
  /** A key of the epoch logs, default 'valLoss'. */
  monitor?: string;
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping. */
  patience?: number;
  minDelta?: number;
  /**
   * Keep a copy of the weights (and buffers) of the best epoch and load it back when training
   * ends, stopped early or not (Keras' restore_best_weights); an interrupted run keeps its last
   * weights so that it can be resumed. The copy is part of the state a checkpoint saves.
   */
  restoreBestWeights?: boolean;
}

/** The state dict's values as plain arrays, for a callback state in a checkpoint's JSON. */
type StateArrays = Record<string, number[]>;

/**
 * Stops training when the monitored value has not improved by minDelta for `patience` epochs
 * (torch has no built-in; as Keras' EarlyStopping).
 */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  readonly restoreBestWeights: boolean;
  best: number;
  wait = 0;
  stoppedEpoch: number | null = null;
  /** The epoch whose value is `best` (1-based), null before the first. */
  bestEpoch: number | null = null;
  /** With restoreBestWeights, the best epoch's state dict. */
  private bestWeights: StateArrays | null = null;
  /** The epoch whose weights were loaded back when training ended; null when none were. */
  restoredEpoch: number | null = null;

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
      if (!saved || saved.length !== t.size) {
        throw new Error(`EarlyStopping: the saved best weights have ${saved ? `${saved.length} values` : 'no entry'} for ${name}, the model's ${shapeStr(t.shape)} has ${t.size}`);
      }
    }
  }

  onEpochEnd(ctx: FitContext, logs: EpochLogs): void {
    const v = logs[this.monitor];
    if (v === undefined) throw new Error(`EarlyStopping: the epoch logs have no '${this.monitor}' (have ${Object.keys(logs).join(', ')})`);
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
      const values = this.bestWeights[name];
      state[name] = new Tensor(t.dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values), t.shape, t.dtype);
    }
    ctx.model.loadStateDict(state);
    this.restoredEpoch = this.bestEpoch;
  }

  /** JSON: best starts at ±Infinity, so it is encoded (see optim/json-number.ts). */
  stateDict(): { best: JsonNumber; wait: number; bestEpoch: number | null; bestWeights?: StateArrays } {
    return { best: encodeNumber(this.best), wait: this.wait, bestEpoch: this.bestEpoch, ...(this.bestWeights ? { bestWeights: this.bestWeights } : {}) };
  }

  /** Validates first: the state may come from a checkpoint file. */
  loadStateDict(s: unknown): void {
    const { best, wait, bestEpoch, bestWeights } = (s ?? {}) as { best?: unknown; wait?: unknown; bestEpoch?: unknown; bestWeights?: unknown };
    const decoded = decodeNumber(best, 'EarlyStopping.loadStateDict: best');
    const decodedWait = decodeCount(wait, 'EarlyStopping.loadStateDict: wait');
    const epoch = bestEpoch === undefined || bestEpoch === null ? null : decodeCount(bestEpoch, 'EarlyStopping.loadStateDict: bestEpoch');
    const weights = bestWeights === undefined ? null : readStateArrays(bestWeights);
    this.best = decoded;
    this.wait = decodedWait;
    this.bestEpoch = epoch;
    this.bestWeights = weights;
  }
}

function copyState(ctx: FitContext): StateArrays {
  const out: StateArrays = {};
  for (const [name, t] of Object.entries(ctx.model.stateDict())) out[name] = Array.from(t.data);
  return out;
}

function readStateArrays(v: unknown): StateArrays {
  const ok = typeof v === 'object' && v !== null && !Array.isArray(v)
    && Object.values(v).every((a) => Array.isArray(a) && a.every((x) => typeof x === 'number' && Number.isFinite(x)));
  if (!ok) throw new Error('EarlyStopping.loadStateDict: bestWeights: expected finite number arrays by tensor name');
  return v as StateArrays;
}

/**
 * Steps a scheduler: OneCycleLR after every batch, ReduceLROnPlateau after every epoch with the
 * monitored value (default 'valLoss', else 'loss'), the others after every epoch.
 */
export class LRSchedule implements Callback {
  constructor(readonly scheduler: LRScheduler | ReduceLROnPlateau, readonly options: { monitor?: string } = {}) {}

  onBatchEnd(): void {
    if (this.scheduler instanceof OneCycleLR) this.scheduler.step();
  }

  onEpochEnd(_ctx: FitContext, logs: EpochLogs): void {
    if (this.scheduler instanceof ReduceLROnPlateau) {
      const key = this.options.monitor ?? ('valLoss' in logs ? 'valLoss' : 'loss');
      this.scheduler.step(logs[key]);
    } else if (!(this.scheduler instanceof OneCycleLR)) this.scheduler.step();
  }

  stateDict(): unknown {
    return this.scheduler.stateDict();
  }

  loadStateDict(s: unknown): void {
    if (this.scheduler instanceof ReduceLROnPlateau) this.scheduler.loadStateDict(s as PlateauState);
    else this.scheduler.loadStateDict(s as SchedulerState);
  }
}

/**
 * Writes a checkpoint (model, optimizer, epoch, PRNG state and the loop's own state) after every
 * epoch and when training is interrupted; fit runs it after the other callbacks.
 */
export class ModelCheckpoint implements Callback {
  /** `extra` adds your own JSON (e.g. the run's settings) to each checkpoint, beside the loop state. */
  constructor(readonly path: string, readonly options: { extra?: () => Record<string, unknown> } = {}) {}

  private write(ctx: FitContext): void {
    const extra = { ...this.options.extra?.(), fit: ctx.snapshot() };
    saveCheckpoint(this.path, { model: ctx.model, optimizer: ctx.optimizer, epoch: ctx.history.length, extra });
  }

  onEpochEnd(ctx: FitContext): void {
    this.write(ctx);
  }

  onInterrupt(ctx: FitContext): void {
    this.write(ctx);
  }
}
