// How the command fails: one line on stderr naming the file and line or the flag (its control
// characters and line breaks shown as \xNN: a file name may hold them), exit status 1, the stack
// only with --verbose.

import { printable } from '../show.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export function reportError(e: unknown, verbose: boolean): never {
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`nabla: ${printable(err.message, true)}\n`);
  if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}
