// A UTF-8 text file for a language model, read whole with a bound (Node only).

import { readBounded } from '../io/read-bounded.js';
import { DataFileError } from './errors.js';
import { checkUtf8 } from './utf8.js';

/** The most a text file may hold: 256 MiB (V8 strings stop near 512 MB). */
export const MAX_TEXT_BYTES = 256 * 2 ** 20;

/**
 * Reads a whole UTF-8 text file for a language model (at most maxBytes, default 256 MiB); invalid UTF-8 is a DataFileError naming the line.
 */
export function readTextFile(path: string, maxBytes = MAX_TEXT_BYTES): string {
  const bytes = readBounded(path, maxBytes, 'text file', (problem) => new DataFileError(path, null, problem));
  checkUtf8(bytes, path);
  return bytes.toString('utf8');
}
