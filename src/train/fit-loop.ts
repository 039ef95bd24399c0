// fit: the training loop, usable from code, in a browser as in Node (no files here: fit.ts adds
// resuming from a checkpoint file and the terminal's progress display). Per step: zeroGrad,
// forward, loss, backward, optional clipping, optimizer step; a NaN/Inf loss or gradient stops
// it with the place named. Per epoch: train metrics, validation metrics, callbacks (schedulers,
// early stopping, then checkpoints). An AbortSignal stops it after the current step.

import type { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { clipGradNorm, clipGradNormQueued } from '../optim/clip.js';
import { DataLoader } from '../data/loader.js';
import type { Dataset } from '../data/dataset.js';
import { evaluate } from './evaluate.js';
import { addMetricSums, metricKey, metricValue, valKey, type Metric } from './metrics.js';
import { isFiniteData, locateNonFiniteForward, locateNonFiniteGrad, NonFiniteError } from './nonfinite.js';
import type { Callback, EpochLogs, EpochPosition, FitContext, FitResult } from './types.js';
import { lossFunction, type Loss } from './loss.js';
import { DeviceSteps } from './device-step.js';
import { HostSteps } from './host-step.js';
import { onDevice } from '../backend/index.js';
import { EventLoopTurns } from './yield.js';

/** Options of fit: the data, the loss and optimizer, the epochs, and optional callbacks, metrics, clipping, augmentation and resumption. */
export interface FitOptions {
  /** Training batches; a Dataset is wrapped in a shuffling DataLoader of batchSize. */
  data: DataLoader | Dataset;
  /** Validation batches (or a Dataset, batched unshuffled), evaluated after every epoch: valLoss and val metrics in the logs. */
  validation?: DataLoader | Dataset;
  /** The loss of a batch: a function (output, targets) → a scalar (nn.crossEntropy), or a loss module (new nn.CrossEntropyLoss()). */
  loss: Loss;
  /** The optimizer over the model's parameters. */
  optimizer: Optimizer;
  /** Epochs to train (in total: a resumed run continues to this count). */
  epochs: number;
  /** The batch size when data or validation is a Dataset (default 32). */
  batchSize?: number;
  /** Callbacks (Progress, EarlyStopping, LRSchedule, ModelCheckpoint, your own). */
  callbacks?: Callback[];
  /** Metrics besides the loss, on train and validation data: 'accuracy', 'mse', 'mae', 'rmse', 'r2', or your own functions (outputs, targets) → number. */
  metrics?: Metric[];
  /** Clip the global gradient norm to this before each step. */
  clipGradNorm?: number;
  /** Applied to training inputs only, e.g. augmentation. */
  transform?: (inputs: Tensor) => Tensor;
  /** When aborted, training stops after the current step (checkpoint callbacks save first). */
  signal?: AbortSignal;
}

/** Where a resumed run continues: the epochs done, their logs and the position in the next one. */
export interface ResumePoint {
  epoch: number;
  history: EpochLogs[];
  position: EpochPosition | null;
}

/** What fit in Node adds to the loop (fit.ts): a resumed start, and a display outside the checkpointed callbacks. @internal */
export interface LoopExtras {
  /** Restores model, optimizer and callbacks from a checkpoint, checked against the loop's sizes. */
  resume?: (loop: { batches: number; samples: number; callbacks: Callback[] }) => ResumePoint;
  /** The progress display: called as the callbacks are, but no part of a checkpoint's state. */
  display?: Callback;
}

const toLoader = (d: DataLoader | Dataset, batchSize: number, shuffle: boolean) =>
  d instanceof DataLoader ? d : new DataLoader(d, { batchSize, shuffle });

/**
 * Validation samples must have the training samples' shapes: checked on one sample of each
 * before the first epoch, not found by the model after a whole epoch of training.
 */
function checkSameSampleShapes(train: Dataset, validation: Dataset): void {
  if (validation.length === 0) throw new Error('fit: the validation data has no samples');
  const [x, y] = train.get(0);
  const [vx, vy] = validation.get(0);
  for (const [what, a, b] of [
    ['inputs', x, vx],
    ['targets', y, vy],
  ] as const) {
    if (shapeStr(a.shape) !== shapeStr(b.shape)) {
      throw new Error(
        `fit: validation ${what} have shape ${shapeStr(b.shape)} per sample, the training ${what} ${shapeStr(a.shape)}`,
      );
    }
  }
}

/**
 * Trains a model, as Keras' fit: per batch zeroGrad, forward, the loss, backward, optional
 * clipping and an optimizer step; per epoch the training metrics, validation, and the callbacks. A
 * NaN or infinite loss, gradient or update stops it with a NonFiniteError naming the step and the
 * layer; an aborted `signal` stops it after the current step (checkpoints written first). It
 * lets the event loop turn between steps, so timers, I/O and a page's frames go on while it trains.
 * This is the browser's fit; Node's (module `nabla`) adds `resumeFrom` and a progress display.
 *
 * @example
 * ```ts
 * const model = nn.mlp({ inputs: 784, hidden: [128], outputs: 10 });
 * const { history } = await fit(model, { data: trainSet, validation: testSet, loss: nn.crossEntropy, optimizer: new optim.Adam(model.parameters()), epochs: 5, metrics: ['accuracy'] });
 * ```
 */
export function fit(model: Module, options: FitOptions): Promise<FitResult> {
  return fitLoop(model, options, {});
}

/** fit, with what Node adds (fit.ts). @internal */
export async function fitLoop(model: Module, options: FitOptions, extras: LoopExtras): Promise<FitResult> {
  const { optimizer, epochs, metrics = [], signal } = options;
  const lossFn = lossFunction(options.loss, 'fit');
  if (!Number.isInteger(epochs) || epochs < 0)
    throw new Error(`fit: epochs must be a non-negative integer, got ${epochs}`);
  const loader = toLoader(options.data, options.batchSize ?? 32, true);
  const validation = options.validation ? toLoader(options.validation, options.batchSize ?? 32, false) : null;
  if (loader.dataset.length === 0) throw new Error('fit: the training data has no samples');
  if (validation) checkSameSampleShapes(loader.dataset, validation.dataset);
  const callbacks = options.callbacks ?? [];
  // Checkpoints run last, so they save the state the other callbacks have just updated.
  const ordered: Callback[] = [
    ...(extras.display ? [extras.display] : []),
    ...callbacks.filter((c) => !c.runsLast),
    ...callbacks.filter((c) => c.runsLast),
  ];

  const ctx: FitContext = {
    model,
    optimizer,
    epochs,
    batchesPerEpoch: loader.length,
    stopTraining: false,
    history: [],
    position: null,
    snapshot: () => ({
      history: ctx.history,
      position: ctx.position,
      callbacks: callbacks.map((c) => c.stateDict?.() ?? null),
      callbackTensors: callbacks.map((c) => c.stateTensors?.() ?? {}),
    }),
  };
  let startEpoch = 0;
  if (extras.resume) {
    const point = extras.resume({ batches: loader.length, samples: loader.dataset.length, callbacks });
    startEpoch = point.epoch;
    ctx.history = point.history;
    ctx.position = point.position;
  }

  for (const c of ordered) c.onTrainBegin?.(ctx);
  // On a device backend: one read per step, and each step's device memory freed at its end.
  const device = onDevice() ? new DeviceSteps(model, optimizer) : null;
  // On a CPU backend: each step's outputs recycled through the host array pool at its end.
  const host = device ? null : new HostSteps([model, optimizer]);
  let interrupted = false;
  const turns = new EventLoopTurns();
  try {
    for (let epoch = startEpoch; epoch < epochs && !ctx.stopTraining; epoch++) {
      const resumed = ctx.position;
      const order = resumed ? Int32Array.from(resumed.order) : loader.epochOrder();
      const orderList = Array.from(order); // one copy per epoch, shared by every position below
      const sums: Record<string, number> = resumed ? { ...resumed.sums } : { loss: 0 };
      let samples = resumed ? resumed.samples : 0;
      const priorSeconds = resumed ? resumed.seconds : 0;
      const started = performance.now();
      let step = resumed ? resumed.batch : 0;
      model.train();
      for (const c of ordered) c.onEpochBegin?.(ctx, epoch, step);
      for (const [xRaw, y] of loader.batches(order, step)) {
        const x = options.transform ? options.transform(xRaw) : xRaw;
        device?.begin();
        host?.begin();
        optimizer.zeroGrad();
        const out = model.forward(x);
        const loss = lossFn(out, y);
        const value = device ? await device.readLoss(loss, out) : loss.item();
        if (!Number.isFinite(value)) {
          const where = device ? await device.locateForward(x) : locateNonFiniteForward(model, x);
          throw new NonFiniteError(
            `training stopped: the loss is ${value} at epoch ${epoch + 1}, step ${step + 1}; first non-finite values: ${where}`,
            epoch + 1,
            step + 1,
          );
        }
        loss.backward();
        const badGrad = device ? null : locateNonFiniteGrad(model);
        if (badGrad)
          throw new NonFiniteError(
            `training stopped: non-finite gradient at epoch ${epoch + 1}, step ${step + 1}: ${badGrad}`,
            epoch + 1,
            step + 1,
          );
        if (options.clipGradNorm !== undefined) {
          if (device) clipGradNormQueued(model.parameters(), options.clipGradNorm);
          else clipGradNorm(model.parameters(), options.clipGradNorm);
        }
        optimizer.step();
        if (!device) {
          for (const p of model.parameters()) {
            if (!isFiniteData(p))
              throw new NonFiniteError(
                `training stopped: the update at epoch ${epoch + 1}, step ${step + 1} made parameters non-finite: ${locateNonFiniteForward(model, x)}`,
                epoch + 1,
                step + 1,
              );
          }
        }
        const n = out.shape[0];
        sums.loss += value * n;
        addMetricSums(sums, metrics, out, y);
        samples += n;
        step++;
        device?.end({ epoch: epoch + 1, step }, [xRaw, y]);
        host?.end();
        ctx.position = {
          epoch,
          batch: step,
          order: orderList,
          sums: { ...sums },
          samples,
          seconds: priorSeconds + (performance.now() - started) / 1000,
        };
        for (const c of ordered)
          c.onBatchEnd?.(ctx, { epoch, batch: step, loss: value, samples, sums, seconds: ctx.position.seconds });
        if (signal?.aborted) {
          interrupted = true;
          break;
        }
        // Timers, I/O and a pending Ctrl-C run between steps (at least every YIELD_MS).
        await turns.maybe();
      }
      await device?.finishEpoch();
      if (interrupted && step < loader.length) {
        for (const c of ordered) c.onInterrupt?.(ctx);
        break;
      }
      const logs: EpochLogs = {
        epoch: epoch + 1,
        lr: optimizer.lr,
        seconds: priorSeconds + (performance.now() - started) / 1000,
        loss: sums.loss / samples,
      };
      for (const m of metrics) logs[metricKey(m)] = metricValue(sums, m, samples);
      if (validation) {
        const v = await evaluate(model, validation, { loss: lossFn, metrics, confusion: false });
        logs.valLoss = v.loss;
        for (const m of metrics) logs[valKey(m)] = typeof m === 'function' ? v.own![metricKey(m)] : (v[m] as number);
      }
      ctx.history.push(logs);
      ctx.position = null;
      for (const c of ordered) c.onEpochEnd?.(ctx, logs);
      if (interrupted) {
        // Stopped on the very last step: the run is complete, not interrupted.
        if (epoch + 1 === epochs) interrupted = false;
        else for (const c of ordered) c.onInterrupt?.(ctx);
        break;
      }
    }
  } finally {
    host?.close();
    device?.close();
  }
  const result: FitResult = {
    history: ctx.history,
    epochs: ctx.history.length,
    stoppedEarly: ctx.stopTraining,
    interrupted,
  };
  for (const c of ordered) c.onTrainEnd?.(ctx, result);
  return result;
}
