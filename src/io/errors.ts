// ModelFileError: the one error every malformed model, checkpoint or ONNX file raises.
// It names the file, what is wrong, and where (a byte offset or a tensor/field name).

/**
 * The error every malformed model, checkpoint or ONNX file raises: its message names the file, the
 * problem and where (a byte offset, or a tensor or field name), e.g.
 * `model.safetensors: tensor is not a parameter of the architecture (at 3.weight)`.
 */
export class ModelFileError extends Error {
  /** The file (its path, or the name given for bytes). */
  readonly file: string;
  /** What is wrong, without the file and place. */
  readonly problem: string;
  /** A byte offset, or a tensor or field name; null when the problem concerns the whole file. */
  readonly where: number | string | null;

  /** An error about `file`: `problem`, at `where` (null: the whole file). */
  constructor(file: string, problem: string, where: number | string | null = null) {
    const at = where === null ? '' : typeof where === 'number' ? ` (at byte ${where})` : ` (at ${where})`;
    super(`${file}: ${problem}${at}`);
    this.name = 'ModelFileError';
    this.file = file;
    this.problem = problem;
    this.where = where;
  }
}

/** A file nabla could not write (or would not replace): it names the file and why. */
export class FileWriteError extends Error {
  /**
   * An error writing `file`: `problem`.
   * @param file - The file that could not be written.
   * @param problem - Why.
   */
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'FileWriteError';
  }
}
