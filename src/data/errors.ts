// The error for bad data files: it names the file and, where there is one, the line.

export class DataFileError extends Error {
  constructor(readonly file: string, readonly line: number | null, detail: string) {
    super(line === null ? `${file}: ${detail}` : `${file}:${line}: ${detail}`);
    this.name = 'DataFileError';
  }
}
