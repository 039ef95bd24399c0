// saveStateDict / loadStateDict: a plain name → tensor map in a safetensors file on disk.

import type { Tensor } from '../tensor.js';
import { nonFiniteProblem } from '../nn/module.js';
import { writeFileAtomic } from './atomic.js';
import { ModelFileError } from './errors.js';
import { MAX_READ_BYTES, readBounded } from './read-bounded.js';
import { decodeSafetensors, encodeSafetensors, type DecodedSafetensors, type EncodeOptions } from './safetensors.js';

/**
 * Writes a name → tensor map (e.g. model.stateDict()) to a safetensors file, atomically (a temp
 * file renamed into place), with optional string metadata; the file loads in PyTorch with
 * safetensors.torch.load_file.
 *
 * @example
 * ```ts
 * saveStateDict(model.stateDict(), 'weights.safetensors');
 * model.loadStateDict(loadStateDict('weights.safetensors').tensors);
 * ```
 */
export function saveStateDict(
  state: Record<string, Tensor>,
  path: string,
  metadata: Record<string, string> = {},
  options: EncodeOptions = {},
): void {
  writeFileAtomic(path, encodeSafetensors(state, metadata, options));
}

/** The file's tensors; one holding NaN or an infinity is refused (naming it) unless `allowNonFinite`. */
export function loadStateDict(path: string, options: { allowNonFinite?: boolean } = {}): DecodedSafetensors {
  const decoded = decodeSafetensors(readModelFile(path), path);
  if (!options.allowNonFinite) {
    for (const [name, t] of Object.entries(decoded.tensors)) {
      const problem = nonFiniteProblem(t.data);
      if (problem) throw new ModelFileError(path, problem, name);
    }
  }
  return decoded;
}

/**
 * The largest model, checkpoint or ONNX file read: Node's Buffer limit (4 GiB), which holds a
 * float32 model at the parameter cap (MAX_PARAMETERS) with Adam's two moments in its checkpoint.
 */
export const MAX_MODEL_FILE_BYTES = MAX_READ_BYTES - 1;

/** The file's bytes; a missing, unreadable, non-regular or oversized file is a ModelFileError too. */
export function readModelFile(path: string, maxBytes = MAX_MODEL_FILE_BYTES): Uint8Array {
  return readBounded(path, maxBytes, 'model file', (problem) => new ModelFileError(path, problem));
}
