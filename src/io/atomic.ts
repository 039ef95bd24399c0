// Atomic file replacement: write a temp file in the target's directory, fsync it, rename it
// over the target. rename() within one directory is atomic on POSIX file systems, so readers
// (and a crash at any moment) see either the old complete file or the new complete file.

import fs from 'node:fs';
import path from 'node:path';

export function writeFileAtomic(target: string, bytes: Uint8Array): void {
  const dir = path.dirname(path.resolve(target));
  // Same directory as the target: a rename across file systems would not be atomic.
  const unique = `${process.pid}.${Math.random().toString(36).slice(2, 10)}`;
  const tmp = path.join(dir, `.${path.basename(target)}.${unique}.tmp`);
  const fd = fs.openSync(tmp, 'wx');
  try {
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  syncDirectory(dir);
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
