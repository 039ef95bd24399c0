// Ctrl-C during training: the first SIGINT aborts the signal given to `run` (fit finishes its
// step and the checkpoint callbacks save), a second one quits at once. The handler lives only
// while `run` does.

export async function untilInterrupted<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C does not wait
    process.stderr.write(
      '\ninterrupted: finishing the current step and writing the checkpoint (Ctrl-C again to quit at once)\n',
    );
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
