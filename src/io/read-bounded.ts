// readBounded: the one way nabla reads an input file (CSV, IDX, model, checkpoint, ONNX). It
// opens the path without blocking, checks on the opened descriptor (so nothing can swap the
// path in between) that it is a regular file, and reads at most `cap` bytes. A FIFO, a device
// such as /dev/zero or a directory is an error at once instead of a hang or an endless read.

import fs from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';

/** Node's largest Buffer (4 GiB on 64-bit): no file larger than this can be read into memory. */
export const MAX_READ_BYTES = bufferConstants.MAX_LENGTH;

/** Names the kind of a non-regular file for an error: "a FIFO (named pipe)". */
export function fileKind(s: fs.Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO (named pipe)';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'a special file';
}

/** "1073741824 bytes (1024 MiB)", or just the bytes below one MiB. */
const bytesStr = (n: number) => (n >= 2 ** 20 ? `${n} bytes (${Math.round(n / 2 ** 20)} MiB)` : `${n} bytes`);

/**
 * The bytes of the regular file at `path`, at most `cap` of them. `what` names the file's role
 * in messages ("CSV file"); `fail` makes the caller's own error (DataFileError, ModelFileError)
 * from a problem description.
 */
export function readBounded(path: string, cap: number, what: string, fail: (problem: string) => Error): Buffer {
  return withRegularFile(path, what, fail, (fd, stat) => {
    const limit = Math.min(cap, MAX_READ_BYTES - 1); // room for the one byte that detects growth
    if (stat.size > limit) throw fail(`the ${what} has ${stat.size} bytes, more than the limit of ${bytesStr(limit)}`);
    // Read until end of file, not just stat.size bytes (the file may grow), never past the limit.
    let out = Buffer.allocUnsafe(Math.min(stat.size, limit) + 1);
    let length = 0;
    for (;;) {
      if (length === out.length) {
        if (length > limit) throw fail(`the ${what} grew past the limit of ${bytesStr(limit)} while it was read`);
        const bigger = Buffer.allocUnsafe(Math.min(2 * length, limit + 1));
        out.copy(bigger, 0, 0, length);
        out = bigger;
      }
      const n = fs.readSync(fd, out, length, out.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return out.subarray(0, length);
  });
}

/** The first `count` bytes of the regular file at `path` (fewer when it is shorter), and its size: a header, never the rest. */
export function readPrefix(
  path: string,
  count: number,
  what: string,
  fail: (problem: string) => Error,
): { bytes: Buffer; size: number } {
  return withRegularFile(path, what, fail, (fd, stat) => {
    const out = Buffer.alloc(Math.min(count, stat.size));
    let length = 0;
    while (length < out.length) {
      const n = fs.readSync(fd, out, length, out.length - length, length);
      if (n === 0) break;
      length += n;
    }
    return { bytes: out.subarray(0, length), size: stat.size };
  });
}

/** Runs `read` on the opened path once it is known to be a regular file; errors name the file's role. */
function withRegularFile<T>(
  path: string,
  what: string,
  fail: (problem: string) => Error,
  read: (fd: number, stat: fs.Stats) => T,
): T {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw fail(`cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw fail(`is ${fileKind(stat)}, expected a regular ${what}`);
    return read(fd, stat);
  } catch (e) {
    if (e instanceof Error && (e as NodeJS.ErrnoException).code !== undefined) {
      throw fail(`cannot read the ${what} (${(e as NodeJS.ErrnoException).code})`);
    }
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}
