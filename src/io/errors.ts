// ModelFileError: the one error every malformed model, checkpoint or ONNX file raises.
// It names the file, what is wrong, and where (a byte offset or a tensor/field name).

export class ModelFileError extends Error {
  readonly file: string;
  readonly problem: string;
  /** A byte offset, or a tensor or field name; null when the problem concerns the whole file. */
  readonly where: number | string | null;

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
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'FileWriteError';
  }
}
