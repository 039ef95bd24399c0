// Atomic file replacement: write a temp file in the target's directory, fsync it, rename it
// over the target. rename() within one directory is atomic on POSIX file systems, so readers
// (and a crash at any moment) see either the old complete file or the new complete file.
//
// What it replaces: nothing or a regular file. A device, FIFO, socket or directory at the path
// is refused (rename would swap a regular file in for it). A symlink is written through: the
// file it points to is replaced and the link stays (a dangling link is refused). Temp files are
// named .NAME.PID.RANDOM.tmp; one left by a writer that was killed (its process is gone) is
// removed by the next successful write of NAME. Every error names the target file.

import fs from 'node:fs';
import path from 'node:path';
import { FileWriteError } from './errors.js';
import { fileKind } from './read-bounded.js';

export function writeFileAtomic(target: string, bytes: Uint8Array): void {
  const real = resolveTarget(target);
  const dir = path.dirname(real);
  const base = path.basename(real);
  // Same directory as the target: a rename across file systems would not be atomic.
  const tmp = path.join(dir, `.${base}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
  const fail = (e: unknown): never => {
    throw new FileWriteError(target, `cannot write the file (${describe(e)})`);
  };
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'wx');
  } catch (e) {
    return fail(e);
  }
  try {
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    return fail(e);
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, real);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    return fail(e);
  }
  syncDirectory(dir);
  removeStrayTemps(dir, base);
}

/** The path to replace: the target, or the file its symlink points to; refuses non-regular files. */
function resolveTarget(target: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return path.resolve(target);
    throw new FileWriteError(target, `cannot write the file (${describe(e)})`);
  }
  let real = path.resolve(target);
  if (stat.isSymbolicLink()) {
    try {
      real = fs.realpathSync(target);
      stat = fs.statSync(real);
    } catch {
      throw new FileWriteError(target, 'is a symlink to a missing file; refusing to write through it');
    }
  }
  if (!stat.isFile())
    throw new FileWriteError(target, `is ${fileKind(stat)}, not a regular file; refusing to replace it`);
  return real;
}

const describe = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** Removes .BASE.PID.*.tmp files of processes that no longer run (a writer killed mid-write). */
function removeStrayTemps(dir: string, base: string): void {
  const prefix = `.${base}.`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-z]*\.tmp$/.exec(name.slice(prefix.length));
    if (m && !isRunning(Number(m[1]))) fs.rmSync(path.join(dir, name), { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // it exists, owned by someone else
  }
}

/** Makes the rename itself durable; some platforms cannot open a directory, which is fine. */
function syncDirectory(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fs.fsyncSync(fd);
  } catch {
    // fsync on a directory is not supported everywhere (e.g. Windows); the data file is synced.
  } finally {
    fs.closeSync(fd);
  }
}
