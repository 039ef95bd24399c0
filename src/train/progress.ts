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
  write(text: string): boolean;
  isTTY?: boolean;
}

export interface ProgressOptions {
  /** Where to write; default process.stdout. */
  stream?: ProgressStream;
  /** Force the live bar on or off; default: on when the stream is a TTY. */
  bar?: boolean;
  /** Tokens in one sample (a language model's sequence length): the speed is then in tokens/s. */
  tokensPerSample?: number;
}

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/** One epoch's numbers as a line: `epoch 3/15  loss 0.1234  accuracy 96.10%  val ...`. */
export function formatEpoch(logs: EpochLogs, epochs: number): string {
  const parts = [`epoch ${logs.epoch}/${epochs}`];
  for (const [key, label] of [['loss', 'loss'], ['accuracy', 'acc'], ['mse', 'mse'], ['mae', 'mae'], ['rmse', 'rmse'], ['r2', 'r2'], ['valLoss', 'val_loss'], ['valAccuracy', 'val_acc'], ['valMse', 'val_mse'], ['valMae', 'val_mae'], ['valRmse', 'val_rmse'], ['valR2', 'val_r2']]) {
    if (logs[key] !== undefined) parts.push(`${label} ${/ccuracy/.test(key) ? pct(logs[key]) : logs[key].toFixed(4)}`);
  }
  parts.push(`lr ${logs.lr.toPrecision(3)}`, `${logs.seconds.toFixed(1)}s`);
  return parts.join('  ');
}

export class Progress implements Callback {
  private readonly stream: ProgressStream;
  private readonly live: boolean;
  private readonly tokensPerSample: number | null;
  private bar: cliProgress.SingleBar | null = null;
  /** Samples trained on so far in this epoch. */
  private epochSamples = 0;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.live = options.bar ?? Boolean(this.stream.isTTY);
    this.tokensPerSample = options.tokensPerSample ?? null;
  }

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

  onEpochEnd(ctx: FitContext, logs: EpochLogs): void {
    this.stopBar();
    const tokens = this.tokensPerSample === null ? '' : `  ${Math.round((this.epochSamples * this.tokensPerSample) / Math.max(logs.seconds, 1e-9))} tokens/s`;
    this.stream.write(`${formatEpoch(logs, ctx.epochs)}${tokens}\n`);
  }

  onInterrupt(): void {
    this.stopBar();
  }

  onTrainEnd(): void {
    this.stopBar();
  }
}
