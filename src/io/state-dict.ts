// saveStateDict / loadStateDict: a plain name → tensor map in a safetensors file on disk.

import fs from 'node:fs';
import type { Tensor } from '../tensor.js';
import { writeFileAtomic } from './atomic.js';
import { ModelFileError } from './errors.js';
import { decodeSafetensors, encodeSafetensors, type DecodedSafetensors, type EncodeOptions } from './safetensors.js';

export function saveStateDict(
  state: Record<string, Tensor>,
  path: string,
  metadata: Record<string, string> = {},
  options: EncodeOptions = {},
): void {
  writeFileAtomic(path, encodeSafetensors(state, metadata, options));
}

export function loadStateDict(path: string): DecodedSafetensors {
  return decodeSafetensors(readModelFile(path), path);
}

/** The file's bytes; a missing or unreadable file is a ModelFileError too. */
export function readModelFile(path: string): Uint8Array {
  try {
    return fs.readFileSync(path);
  } catch (e) {
    throw new ModelFileError(path, `cannot read the file: ${(e as Error).message}`);
  }
}
