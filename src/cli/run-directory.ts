// A run's output directory. A run that fails must not lose what it wrote of value (its
// checkpoints) nor touch what it did not make: so it makes --out with its missing parents, and
// after a failure removes only those of them that are still empty, deepest first. A directory
// holding a checkpoint, or anything another process put there (a run started beside it under a
// new shared parent), is not empty and stays, with every parent above it.

import { existsSync, mkdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const modified = (path: string) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;

/**
 * Makes `out` and its missing parents; returns what a failed run calls: it says where the
 * checkpoint this run wrote (if it wrote one) is kept, then removes the empty directories it made.
 */
export function makeRunDirectory(out: string, checkpoint?: string): () => void {
  const made: string[] = [];
  for (let d = resolve(out); !existsSync(d) && dirname(d) !== d; d = dirname(d)) made.push(d);
  mkdirSync(out, { recursive: true });
  const before = checkpoint === undefined ? undefined : modified(checkpoint);
  return () => {
    if (checkpoint !== undefined && modified(checkpoint) !== before)
      console.error(`nabla: kept the last checkpoint, ${checkpoint}; continue from it with --resume`);
    for (const d of made) {
      try {
        rmdirSync(d); // only an empty directory: never a file in it
      } catch {
        return; // not empty (or gone): it and its parents stay
      }
    }
  };
}
