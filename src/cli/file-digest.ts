// A data file's SHA-256, recorded with a run's settings so that --resume notices a file edited
// in place since the run began (the same rows count, other values). Read in chunks: a 1 GiB CSV
// is hashed in constant memory.

import { closeSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';

export function fileDigest(path: string): string {
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0;) hash.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return `sha256:${hash.digest('hex')}`;
}
