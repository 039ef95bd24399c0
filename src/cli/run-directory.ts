// A run's output directory. A run that fails must not lose what it wrote of value (its
// checkpoints) nor touch what it did not make: so it makes --out with its missing parents, and
// after a failure removes only those of them that are still empty, deepest first. A directory
// holding a checkpoint, or anything another process put there (a run started beside it under a
// new shared parent), is not empty and stays, with every parent above it.
//
// Two runs must not write into one --out (the last writer would win, and a --resume of the other
// would fail on shapes): a run holds a lock file in it while it runs, and a directory that
// already holds a run (a model, checkpoint or metrics file) is refused unless --resume or --force
// says to continue or replace it.

import { existsSync, lstatSync, mkdirSync, readlinkSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { files, pathIn } from './modeldir.js';
import { lockDirectory } from './run-lock.js';

const modified = (path: string) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;

export interface RunDirectoryOptions {
  /** This run's checkpoint file, if it writes one: a failed run says where it is kept. */
  checkpoint?: string;
  /** --resume: the run in the directory is continued. */
  resume?: boolean;
  /** --force: the run in the directory is replaced. */
  force?: boolean;
}

export interface RunDirectory {
  /** After a failure: says where the checkpoint this run wrote is kept, unlocks, removes the empty directories it made. */
  failed(): void;
  /** Unlocks the directory (every way out of the run: done, interrupted, failed). */
  release(): void;
}

/** The files that mark a directory as holding a run. */
const runFiles = ['model', 'checkpoint', 'metrics'] as const;

/**
 * Makes `out` and its missing parents and locks it for this run; refuses a directory locked by
 * a live run, and one holding another run's files unless `resume` or `force`.
 */
export function makeRunDirectory(out: string, options: RunDirectoryOptions = {}): RunDirectory {
  const { checkpoint, resume = false, force = false } = options;
  const made: string[] = [];
  for (let d = resolve(out); !existsSync(d) && dirname(d) !== d; d = dirname(d)) made.push(d);
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    // Before any work (a read-only mount was found only at the first checkpoint). Node's recursive
    // mkdir reports a read-only parent as ENOENT: the first missing directory made alone says why.
    let code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && made.length > 0) {
      try {
        mkdirSync(made[made.length - 1]);
      } catch (f) {
        code = (f as NodeJS.ErrnoException).code;
      }
    }
    removeEmpty(made);
    throw new UsageError(`--out ${out}: cannot make the directory (${code})`);
  }
  let unlock: () => void;
  try {
    unlock = lockDirectory(out);
  } catch (e) {
    removeEmpty(made);
    throw e;
  }
  // A link planted where a run writes (report.html → a file elsewhere) would have the run write
  // outside --out: every file a run writes is written in DIR itself.
  for (const name of Object.values(files)) {
    const path = join(out, name);
    if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) {
      unlock();
      throw new UsageError(
        `--out ${out}: ${name} is a symbolic link (to ${readlinkSync(path)}); a run writes its files in the directory itself, never through a link: remove it`,
      );
    }
  }
  if (!resume && !force) {
    const present = runFiles.filter((name) => existsSync(pathIn(out, name))).map((name) => files[name]);
    if (present.length > 0) {
      unlock();
      throw new UsageError(
        `--out ${out} already holds a run (${present.join(', ')}); continue it with --resume, replace it with --force, or choose another --out`,
      );
    }
  }
  const before = checkpoint === undefined ? undefined : modified(checkpoint);
  return {
    failed() {
      if (checkpoint !== undefined && modified(checkpoint) !== before)
        console.error(`nabla: kept the last checkpoint, ${checkpoint}; continue from it with --resume`);
      unlock();
      removeEmpty(made);
    },
    release: () => unlock(),
  };
}

/** Removes the directories of `made` (deepest first) while they are empty. */
function removeEmpty(made: readonly string[]): void {
  for (const d of made) {
    try {
      rmdirSync(d); // only an empty directory: never a file in it
    } catch {
      return; // not empty (or gone): it and its parents stay
    }
  }
}
