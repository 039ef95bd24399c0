// CSVLogger: each epoch's logs as one line of a file, for long runs watched from outside (Keras'
// CSVLogger): CSV, or JSON Lines when the file's name ends in .jsonl. At the start of training
// the file is replaced, atomically, by the epochs done so far (none, or a resumed run's), then each
// epoch appends its line, so the file always holds whole lines of this run.

import { appendFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';
import { FileWriteError } from '../io/errors.js';
import type { Callback, EpochLogs, FitContext } from './types.js';

/**
 * A fit callback writing one line per epoch to `path`: CSV with a header (epoch, loss, the
 * metrics, valLoss …, lr, seconds), or one JSON object per line when `path` ends in `.jsonl`.
 *
 * @example
 * ```ts
 * await fit(model, { data, loss: nn.crossEntropy, optimizer, epochs: 50, callbacks: [new train.CSVLogger('runs/log.csv')] });
 * ```
 */
export class CSVLogger implements Callback {
  private readonly jsonl: boolean;
  /** The CSV columns, from the first epoch's logs. */
  private columns: string[] | null = null;

  /** The file written. */
  readonly path: string;

  /** A logger writing to `path` (replaced when training starts). */
  constructor(path: string) {
    this.path = path;
    this.jsonl = path.toLowerCase().endsWith('.jsonl');
  }

  private line(logs: EpochLogs): string {
    if (this.jsonl) return JSON.stringify(logs);
    return this.columns!.map((c) => (logs[c] === undefined ? '' : String(logs[c]))).join(',');
  }

  /** Replaces the file with the header and the epochs already done. */
  onTrainBegin(ctx: FitContext): void {
    const first = ctx.history[0];
    this.columns = first ? Object.keys(first) : null;
    const lines = first
      ? [...(this.jsonl ? [] : [this.columns!.join(',')]), ...ctx.history.map((l) => this.line(l))]
      : [];
    writeFileAtomic(this.path, new TextEncoder().encode(lines.map((l) => `${l}\n`).join('')));
  }

  /** Appends the epoch's line (after the header, at the first epoch). */
  onEpochEnd(_ctx: FitContext, logs: EpochLogs): void {
    let text = '';
    if (!this.columns) {
      this.columns = Object.keys(logs);
      if (!this.jsonl) text += `${this.columns.join(',')}\n`;
    }
    text += `${this.line(logs)}\n`;
    try {
      appendFileSync(this.path, text);
    } catch (e) {
      throw new FileWriteError(this.path, `cannot append the epoch's line (${(e as Error).message})`);
    }
  }
}
