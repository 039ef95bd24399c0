// The progress display of fit: on a terminal a live bar per epoch (batches, loss, accuracy,
// samples/s, ETA, drawn by cli-progress); elsewhere (a pipe, a log file, CI) one plain line per
// epoch. Either way each epoch ends with a summary line of train and validation numbers.

import cliProgress from 'cli-progress';
import type { BatchInfo, Callback, EpochLogs, FitContext } from './types.js';

/**
 * Where Progress writes: process.stdout, process.stderr or another Node stream (the live bar
 * moves the cursor, so it needs a TTY). Structural, so nabla's declarations need no Node typings.
 */
export interface ProgressStream {
  /** Writes text as it is (the bar's redraws and each epoch's line). */
  write(text: string): boolean;
  /** True on a terminal: the live bar is drawn only there unless `bar` says otherwise. */
  isTTY?: boolean;
}

/** Options of Progress. */
export interface ProgressOptions {
  /** Where to write; default process.stdout. */
  stream?: ProgressStream;
  /** Force the live bar on or off; default: on when the stream is a TTY. */
  bar?: boolean;
  /** Tokens in one sample (a language model's sequence length): the speed is then in tokens/s. */
  tokensPerSample?: number;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/**
 * One epoch's numbers as the line Progress prints (the logs it has), e.g.
 * `epoch 3/15  loss 0.1234  acc 96.10%  val_loss 0.1500  val_acc 95.20%  lr 0.00100  2.1s`.
 */
export function formatEpoch(logs: EpochLogs, epochs: number): string {
  const parts = [`epoch ${logs.epoch}/${epochs}`];
  for (const [key, label] of LABELS) {
    if (logs[key] !== undefined) parts.push(`${label} ${/ccuracy/.test(key) ? pct(logs[key]) : logs[key].toFixed(4)}`);
  }
  // Metric functions of one's own, under their names.
  for (const [key, value] of Object.entries(logs)) if (!BUILT_IN.has(key)) parts.push(`${key} ${value.toFixed(4)}`);
  parts.push(`lr ${logs.lr.toPrecision(3)}`, `${logs.seconds.toFixed(1)}s`);
  return parts.join('  ');
}

/** The built-in logs' labels, in the order the line shows them. */
const LABELS = [
  ['loss', 'loss'],
  ['accuracy', 'acc'],
  ['mse', 'mse'],
  ['mae', 'mae'],
  ['rmse', 'rmse'],
  ['r2', 'r2'],
  ['valLoss', 'val_loss'],
  ['valAccuracy', 'val_acc'],
  ['valMse', 'val_mse'],
  ['valMae', 'val_mae'],
  ['valRmse', 'val_rmse'],
  ['valR2', 'val_r2'],
] as const;

/** The keys the line shows by their labels, or not at all (epoch, lr and seconds have their own places). */
const BUILT_IN = new Set<string>([...LABELS.map(([key]) => key), 'epoch', 'lr', 'seconds']);

/**
 * The progress display of fit (a callback): on a terminal a live bar per epoch (batches, loss,
 * accuracy, samples/s, ETA); elsewhere (a pipe, a log file, CI) one plain line per epoch. Each epoch
 * ends with its formatEpoch line.
 *
 * @example
 * ```ts
 * await fit(model, { data: trainSet, loss: nn.crossEntropy, optimizer, epochs: 5, callbacks: [new train.Progress()] });
 * ```
 */
export class Progress implements Callback {
  private readonly stream: ProgressStream;
  private readonly live: boolean;
  private readonly tokensPerSample: number | null;
  private bar: cliProgress.SingleBar | null = null;
  /** Samples trained on so far in this epoch. */
  private epochSamples = 0;

  /** A display on options.stream (default stdout). */
  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.live = options.bar ?? Boolean(this.stream.isTTY);
    this.tokensPerSample = options.tokensPerSample ?? null;
  }

  /** Starts the epoch's bar (from startBatch, on a resumed epoch). */
  onEpochBegin(ctx: FitContext, epoch: number, startBatch: number): void {
    if (!this.live) return;
    this.bar = new cliProgress.SingleBar(
      {
        // cli-progress's typings ask for a whole NodeJS.WritableStream; it is handed the user's stream.
        stream: this.stream as NodeJS.WritableStream,
        format: `epoch ${epoch + 1}/${ctx.epochs} [{bar}] {value}/{total} | loss {loss} | acc {acc} | {speed} ${this.tokensPerSample === null ? 'samples' : 'tokens'}/s | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(ctx.batchesPerEpoch, startBatch, { loss: '-', acc: '-', speed: '-' });
  }

  /** Updates the bar with the batch's loss and speed. */
  onBatchEnd(_ctx: FitContext, info: BatchInfo): void {
    this.epochSamples = info.samples;
    if (!this.bar) return;
    this.bar.update(info.batch, {
      loss: (info.sums.loss / info.samples).toFixed(4),
      acc: info.sums.accuracy === undefined ? '-' : pct(info.sums.accuracy / info.samples),
      speed: Math.round((info.samples * (this.tokensPerSample ?? 1)) / Math.max(info.seconds, 1e-9)),
    });
  }

  private stopBar(): void {
    this.bar?.stop();
    this.bar = null;
  }

  /** Ends the bar and prints the epoch's line. */
  onEpochEnd(ctx: FitContext, logs: EpochLogs): void {
    this.stopBar();
    const tokens =
      this.tokensPerSample === null
        ? ''
        : `  ${Math.round((this.epochSamples * this.tokensPerSample) / Math.max(logs.seconds, 1e-9))} tokens/s`;
    this.stream.write(`${formatEpoch(logs, ctx.epochs)}${tokens}\n`);
  }

  onInterrupt(): void {
    this.stopBar();
  }

  /** Ends the bar, if one is still drawn. */
  onTrainEnd(): void {
    this.stopBar();
  }
}
