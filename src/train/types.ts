// The types fit and its callbacks share: what a callback is handed (FitContext, BatchInfo, the
// epoch logs) and what a checkpoint stores of the loop (FitSnapshot). In their own module so that
// fit.ts and callbacks.ts each import them without importing each other.

import type { Tensor } from '../tensor.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';

/** A loss as fit and evaluate take it: (model output, batch targets) → a scalar tensor, e.g. nn.crossEntropy or nn.mseLoss. */
export type LossFn = (output: Tensor, target: Tensor) => Tensor;

/** One epoch's numbers: `loss` and metrics on training data, `valLoss`, `valAccuracy`, ... on validation. */
export interface EpochLogs {
  /** The epoch's number, from 1. */
  epoch: number;
  /** The learning rate at the epoch's end. */
  lr: number;
  /** The epoch's training time (without validation). */
  seconds: number;
  [name: string]: number;
}

/** What fit returns: the epoch logs and how training ended. */
export interface FitResult {
  /** Every epoch's logs, in order (a resumed run's earlier epochs included). */
  history: EpochLogs[];
  /** Epochs completed. */
  epochs: number;
  /** A callback (EarlyStopping) ended training before `epochs`. */
  stoppedEarly: boolean;
  /** The abort signal stopped training mid-run. */
  interrupted: boolean;
}

/** Where an epoch stands, saved in checkpoints so a run interrupted mid-epoch can continue. */
export interface EpochPosition {
  /** The epoch, from 0. */
  epoch: number;
  /** Batches done in this epoch. */
  batch: number;
  /** The epoch's sample order. */
  order: number[];
  /** Running sums of the epoch so far: loss·n and each metric. */
  sums: Record<string, number>;
  /** Samples trained on in this epoch so far. */
  samples: number;
  /** Training time of this epoch so far. */
  seconds: number;
}

/** The loop's state that checkpoints store (ModelCheckpoint), so `resumeFrom` continues exactly. */
export interface FitSnapshot {
  /** The epoch logs so far. */
  history: EpochLogs[];
  /** Where the current epoch stands, or null between epochs. */
  position: EpochPosition | null;
  /** Each callback's stateDict() (null for one without state), in order. */
  callbacks: (unknown | null)[];
  /** Each callback's stateTensors() ({} for one without), in order. */
  callbackTensors: Record<string, Tensor>[];
}

/** What fit hands its callbacks: the model, the optimizer, the run's sizes and history, and a stop flag. */
export interface FitContext {
  /** The model being trained. */
  model: Module;
  /** Its optimizer. */
  optimizer: Optimizer;
  /** The epochs asked for. */
  epochs: number;
  /** Batches in one epoch. */
  batchesPerEpoch: number;
  /** The logs of the epochs done. */
  history: EpochLogs[];
  /** Where the current epoch stands; null between epochs. */
  position: EpochPosition | null;
  /** Set by a callback to end training after this epoch. */
  stopTraining: boolean;
  /** The loop's state now, as a checkpoint stores it. */
  snapshot(): FitSnapshot;
}

/** What onBatchEnd gets: where the step is and the running numbers of the epoch. */
export interface BatchInfo {
  /** The epoch, from 0. */
  epoch: number;
  /** Batches done in this epoch (1-based after the first). */
  batch: number;
  /** This batch's loss. */
  loss: number;
  /** Samples trained on in this epoch so far. */
  samples: number;
  /** Running sums of the epoch: loss·n and each metric. */
  sums: Record<string, number>;
  /** Training time of this epoch so far. */
  seconds: number;
}

/**
 * A hook into fit, as Keras' callbacks: every method is optional and gets the loop's context. fit
 * calls them in order (ModelCheckpoint last), and saves the stateDict of those that have one in
 * checkpoints.
 */
export interface Callback {
  /** Run after the other callbacks (ModelCheckpoint: it saves the state they have just updated). */
  readonly runsLast?: boolean;
  /** Before the first epoch. */
  onTrainBegin?(ctx: FitContext): void;
  /** At the start of an epoch (index from 0), at batch startBatch (0 unless resumed mid-epoch). */
  onEpochBegin?(ctx: FitContext, epoch: number, startBatch: number): void;
  /** After every optimizer step. */
  onBatchEnd?(ctx: FitContext, info: BatchInfo): void;
  /** After an epoch, with its logs (validation included). */
  onEpochEnd?(ctx: FitContext, logs: EpochLogs): void;
  /** Training was aborted through the signal; ctx.position says where. */
  onInterrupt?(ctx: FitContext): void;
  /** After training, with the result. */
  onTrainEnd?(ctx: FitContext, result: FitResult): void;
  /** Plain JSON: checkpoints store it as JSON, which has no ±Infinity/NaN (see optim/json-number.ts). */
  stateDict?(): unknown;
  /** The large part of its state (weights), which checkpoints store as binary tensors beside the JSON. */
  stateTensors?(): Record<string, Tensor>;
  /** Restores a stateDict() and stateTensors() from a checkpoint (validate them: they come from a file). */
  loadStateDict?(state: unknown, tensors: Record<string, Tensor>): void;
}
