// The error for bad data files: it names the file and, where there is one, the line.

/**
 * The error for bad data files (CSV, IDX, text): its message names the file and, where there is one, the line, e.g. `iris.csv:12: 4 fields, expected 5 as in the header row`.
 */
export class DataFileError extends Error {
  /**
   * An error in `file` at `line` (null: the whole file).
   * @param file - The file.
   * @param line - The 1-based line, or null.
   * @param detail - What is wrong.
   */
  constructor(
    readonly file: string,
    readonly line: number | null,
    detail: string,
  ) {
    super(line === null ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
    this.name = 'DataFileError';
  }
}
