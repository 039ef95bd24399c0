// The lock of a run's output directory: a file `.nabla.lock` created exclusively (O_EXCL, so of
// two runs starting together exactly one gets it) holding the pid of the run, removed when the
// run ends. A run killed before it could remove it leaves a stale lock: one naming a process
// that no longer exists is taken over.

import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './errors.js';

export const LOCK_FILE = '.nabla.lock';

/** The locks this process holds: a lock naming this pid but not held here is a dead run's, whose pid was reused. */
const held = new Set<string>();

/** A lock file still empty is being written (open and write are not one step) unless it is older than this. */
const WRITING_MS = 5000;

function alive(pid: number, path: string): boolean {
  if (pid === process.pid) return held.has(path);
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, another user's
  }
}

/** The lock at `path`: its holder's pid (null when unreadable) and inode, or null when there is none. */
function readLock(path: string): { pid: number | null; ino: number; mtimeMs: number } | null {
  try {
    const { ino, mtimeMs } = statSync(path);
    const text = readFileSync(path, 'utf8').trim();
    return { pid: /^[1-9]\d{0,9}$/.test(text) ? Number(text) : null, ino, mtimeMs };
  } catch {
    return null;
  }
}

/** Locks `dir` for this process; returns what unlocks it (also run at exit). */
export function lockDirectory(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new UsageError(`--out ${dir}: cannot create the lock file ${path} (${code})`);
      const lock = readLock(path);
      if (lock === null) continue; // removed meanwhile: try again
      const writing = lock.pid === null && Date.now() - lock.mtimeMs < WRITING_MS;
      if (writing || (lock.pid !== null && alive(lock.pid, path))) {
        throw new UsageError(
          `--out ${dir} is in use by another run (${lock.pid === null ? 'starting' : `process ${lock.pid}`}, lock file ${path}); wait for it to end or choose another --out`,
        );
      }
      // Stale: removed only if it is still the lock just read (not one another run took over meanwhile).
      if (statSync(path, { throwIfNoEntry: false })?.ino === lock.ino) unlinkSync(path);
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    held.add(path);
    const unlock = () => {
      process.off('exit', unlock);
      if (!held.delete(path)) return;
      if (readLock(path)?.pid !== process.pid) return; // not ours any more: leave it
      try {
        unlinkSync(path);
      } catch {
        // gone already: nothing to unlock
      }
    };
    process.on('exit', unlock);
    return unlock;
  }
  throw new UsageError(`--out ${dir}: could not take the lock file ${path} (other runs keep taking it)`);
}
