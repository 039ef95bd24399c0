// The types fit and its callbacks share: what a callback is handed (FitContext, BatchInfo, the
// epoch logs) and what a checkpoint stores of the loop (FitSnapshot). In their own module so that
// fit.ts and callbacks.ts each import them without importing each other.

import type { Tensor } from '../tensor.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';

export type LossFn = (output: Tensor, target: Tensor) => Tensor;

/** One epoch's numbers: `loss` and metrics on training data, `valLoss`, `valAccuracy`, ... on validation. */
export interface EpochLogs {
  epoch: number;
  lr: number;
  seconds: number;
  [name: string]: number;
}

export interface FitResult {
  history: EpochLogs[];
  /** Epochs completed. */
  epochs: number;
  stoppedEarly: boolean;
  interrupted: boolean;
}

/** Where an epoch stands, saved in checkpoints so a run interrupted mid-epoch can continue. */
export interface EpochPosition {
  epoch: number;
  /** Batches done in this epoch. */
  batch: number;
  order: number[];
  sums: Record<string, number>;
  samples: number;
  seconds: number;
}

export interface FitSnapshot {
  history: EpochLogs[];
  position: EpochPosition | null;
  callbacks: (unknown | null)[];
}

export interface FitContext {
  model: Module;
  optimizer: Optimizer;
  epochs: number;
  batchesPerEpoch: number;
  history: EpochLogs[];
  /** Where the current epoch stands; null between epochs. */
  position: EpochPosition | null;
  /** Set by a callback to end training after this epoch. */
  stopTraining: boolean;
  snapshot(): FitSnapshot;
}

export interface BatchInfo {
  epoch: number;
  /** Batches done in this epoch (1-based after the first). */
  batch: number;
  loss: number;
  samples: number;
  /** Running sums of the epoch: loss·n and each metric. */
  sums: Record<string, number>;
  seconds: number;
}

export interface Callback {
  onTrainBegin?(ctx: FitContext): void;
  onEpochBegin?(ctx: FitContext, epoch: number, startBatch: number): void;
  onBatchEnd?(ctx: FitContext, info: BatchInfo): void;
  onEpochEnd?(ctx: FitContext, logs: EpochLogs): void;
  /** Training was aborted through the signal; ctx.position says where. */
  onInterrupt?(ctx: FitContext): void;
  onTrainEnd?(ctx: FitContext, result: FitResult): void;
  /** Plain JSON: checkpoints store it as JSON, which has no ±Infinity/NaN (see optim/json-number.ts). */
  stateDict?(): unknown;
  loadStateDict?(state: unknown): void;
}
