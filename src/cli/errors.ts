// How the command fails: one line on stderr naming the file and line or the flag, exit status
// 1, the stack only with --verbose.

export class UsageError extends Error {
  override name = 'UsageError';
}

export function reportError(e: unknown, verbose: boolean): never {
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`nabla: ${err.message.split('\n')[0]}\n`);
  if (verbose && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(1);
}
