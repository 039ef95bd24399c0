// Text files must be UTF-8: invalid bytes would decode to U+FFFD and change their meaning
// silently (two distinct CSV labels becoming one), so they are refused with their line.

import { isUtf8 } from 'node:buffer';
import { DataFileError } from './errors.js';

export function checkUtf8(bytes: Buffer, file: string): void {
  if (!isUtf8(bytes))
    throw new DataFileError(file, firstInvalidUtf8Line(bytes), 'not valid UTF-8 text (save the file as UTF-8)');
}

function firstInvalidUtf8Line(bytes: Buffer): number | null {
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    if (!isUtf8(bytes.subarray(start, end))) return line;
    start = end + 1;
  }
  return null;
}
