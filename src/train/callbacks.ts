// Callbacks of fit: progress display, early stopping, learning-rate schedules, checkpoints.
// A callback with state (stateDict/loadStateDict) has it saved in checkpoints, so a resumed run
// continues with the same patience counters and schedule positions.

import { LRScheduler, OneCycleLR, ReduceLROnPlateau, type PlateauState, type SchedulerState } from '../optim/schedulers.js';
import { decodeCount, decodeNumber, encodeNumber, type JsonNumber } from '../optim/json-number.js';
import { saveCheckpoint } from '../io/index.js';
import type { Callback, EpochLogs, FitContext } from './types.js';

export interface EarlyStoppingOptions {
  /** A key of the epoch logs, default 'valLoss'. */
  monitor?: string;
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping. */
  patience?: number;
  minDelta?: number;
}

/** Stops training when the monitored value has not improved by minDelta for `patience` epochs. */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly minDelta: number;
  best: number;
  wait = 0;
  stoppedEpoch: number | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    this.monitor = options.monitor ?? 'valLoss';
    this.mode = options.mode ?? (/acc/i.test(this.monitor) ? 'max' : 'min');
    this.patience = options.patience ?? 5;
    this.minDelta = options.minDelta ?? 0;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  onEpochEnd(ctx: FitContext, logs: EpochLogs): void {
    const v = logs[this.monitor];
    if (v === undefined) throw new Error(`EarlyStopping: the epoch logs have no '${this.monitor}' (have ${Object.keys(logs).join(', ')})`);
    const better = this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta;
    if (better) {
      this.best = v;
      this.wait = 0;
    } else if (++this.wait >= this.patience) {
      ctx.stopTraining = true;
      this.stoppedEpoch = logs.epoch;
    }
  }

  /** JSON: best starts at ±Infinity, so it is encoded (see optim/json-number.ts). */
  stateDict(): { best: JsonNumber; wait: number } {
    return { best: encodeNumber(this.best), wait: this.wait };
  }

  /** Validates first: the state may come from a checkpoint file. */
  loadStateDict(s: unknown): void {
    const { best, wait } = (s ?? {}) as { best?: unknown; wait?: unknown };
    const decoded = decodeNumber(best, 'EarlyStopping.loadStateDict: best');
    this.wait = decodeCount(wait, 'EarlyStopping.loadStateDict: wait');
    this.best = decoded;
  }
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
