// CSV parsing by csv-parse (RFC 4180; comma, semicolon or tab, detected): a header row, then
// data rows of as many fields. A table keeps the file's bytes and each row's byte range, not its fields: a file of many short rows as string arrays took
// ~100 bytes of JS heap per row and a 100 MB file ran V8 out of heap, while three integers a row
// live outside it. A row's fields are split again when they are read (csvFromTable reads each
// row once). The number of values (rows × columns) is bounded too, and refused at the line that
// passes the bound, before the arrays the values go into are made.

import { readBounded } from '../io/read-bounded.js';
import { checkUtf8 } from './utf8.js';
import { DataFileError } from './errors.js';
import { CsvError, Parser, type Options } from 'csv-parse';

/** A parsed CSV file: its header, and its data rows, whose fields are split when read. */
export interface CsvTable {
  /** The file's name, for messages. */
  file: string;
  /** The column names (the first row). */
  header: string[];
  /** The delimiter, detected from the header row: ',', ';' or a tab. */
  delimiter: string;
  /** The number of data rows. */
  length: number;
  /** 1-based file line of each row, for error messages. */
  lines: Int32Array;
  /** The fields of data row `i` (from 0), trimmed, quotes removed. */
  row(i: number): string[];
}

/** The largest CSV file read (1 GiB). Its fields are decoded one by one, never the file as one string. */
export const MAX_CSV_BYTES = 2 ** 30;

/**
 * Bounds of a table, which tests lower. `values`: the most data rows × columns, 2²⁸ (1 GiB as
 * float32 features); a file of short rows within MAX_CSV_BYTES can hold more, and is refused
 * naming this bound. `classes`: the most distinct labels of a classification target, so that a
 * numeric column with a typo in one row (then read as labels) is refused rather than made into
 * millions of classes.
 */
export const csvLimits = { values: 2 ** 28, classes: 2 ** 20 };

/** A growable Int32Array. */
class Ints {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}

/**
 * Parses CSV text: a header row, then data rows of as many fields (comma, semicolon or tab, detected from the header; double quotes may wrap a field, which may then hold delimiters, newlines and "" for a quote; blank lines skipped). A malformed row is a DataFileError naming the line.
 */
export function parseCsv(text: string, file = '<csv>'): CsvTable {
  return parseBuffer(Buffer.from(text, 'utf8'), file);
}

/** Reads and parses a UTF-8 CSV file (at most maxBytes, default 1 GiB) record by record; errors name the file and line. */
export function readCsvFile(path: string, maxBytes = MAX_CSV_BYTES): CsvTable {
  return parseCsvBytes(
    readBounded(path, maxBytes, 'CSV file', (problem) => new DataFileError(path, null, problem)),
    path,
  );
}

/**
 * A CSV file's bytes, which must be UTF-8, parsed record by record. Typed Uint8Array (a Buffer is
 * one) so that nabla's declarations need no Node typings; read through a Buffer view, no copy.
 */
export function parseCsvBytes(bytes: Uint8Array, file = '<csv>'): CsvTable {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkUtf8(buffer, file);
  return parseBuffer(buffer, file);
}

/** The delimiters detected, in the order a tie is broken. */
const DELIMITERS = [',', ';', '\t'] as const;

/**
 * The delimiter of a table: whichever of comma, semicolon and tab occurs most often outside
 * quotes in its first non-blank line, the header (column names seldom hold one); a comma when none does.
 */
export function detectDelimiter(bytes: Uint8Array, from = 0): string {
  let start = from;
  let header = '';
  while (start < bytes.length && header.trim() === '') {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    header = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', start, end);
    start = end + 1;
  }
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const c of header) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && counts.has(c)) counts.set(c, (counts.get(c) as number) + 1);
  }
  let best: string = ',';
  for (const d of DELIMITERS) if ((counts.get(d) as number) > (counts.get(best) as number)) best = d;
  return best;
}

/** csv-parse's options for a table: fields trimmed, blank lines skipped, a byte-order mark dropped, LF or CRLF lines. */
const parseOptions = (delimiter: string): Options => ({
  delimiter,
  record_delimiter: ['\r\n', '\n'],
  trim: true,
  bom: true,
  skip_empty_lines: true,
  relax_column_count: true, // each record's field count is checked here, naming its line
  relax_quotes: true, // a quote inside an unquoted field is a character (5"), as pandas reads it
});

/** The part of csv-parse's parser that its own sync parse() drives (lib/sync.js), with the position after each record. */
interface RecordParser {
  parse(data: Buffer, end: boolean, push: (record: string[]) => void, close: () => void): Error | undefined;
  info: { bytes: number; lines: number };
}

/**
 * Calls `onRecord` with each record of `bytes` and the byte offset and line where it ends. The
 * records are not kept (a table of many short rows would not fit the heap as string arrays).
 * Through the parser that csv-parse's sync parse() itself drives, reading its position after
 * each record: the sync API's on_record hook gives the same numbers but builds an object per
 * record, which made parsing 4-8 times slower (2 s per 200,000 rows).
 */
function eachRecord(
  bytes: Buffer,
  delimiter: string,
  onRecord: (fields: string[], end: { bytes: number; lines: number }) => void,
): void {
  const parser = (new Parser(parseOptions(delimiter)) as unknown as { api: RecordParser }).api;
  const error = parser.parse(
    bytes,
    true,
    (fields) => onRecord(fields, parser.info),
    () => {},
  );
  if (error !== undefined) throw error;
}

/** csv-parse's error (CsvError: an unclosed or misplaced quote) as a DataFileError naming the line. */
function parseError(e: unknown, file: string): Error {
  if (!(e instanceof CsvError)) return e as Error;
  const err = e as CsvError & { lines?: number };
  if (err.code === 'CSV_QUOTE_NOT_CLOSED')
    return new DataFileError(file, err.lines ?? null, 'unterminated quoted field');
  // "Invalid Closing Quote: got "y" at line 2 instead of delimiter, …": the message without its place.
  const detail = err.message
    .replace(/ at line \d+/, '')
    .replace(/^([^:]*): /, (_, kind: string) => `${kind.toLowerCase()}: `);
  return new DataFileError(file, err.lines ?? null, detail);
}

/**
 * A record's first line, from the line csv-parse ends it on: its text holds the blank lines
 * skipped before it and, where a quoted field spans lines, newlines of its own.
 */
function firstLine(text: string, endLine: number): number {
  const body = text.replace(/\r?\n$/, '').replace(/^(?:[ \t\r]*\n)*/, '');
  let newlines = 0;
  for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) newlines++;
  return endLine - newlines;
}

/**
 * The table of a UTF-8 buffer, parsed by csv-parse (RFC 4180: quoted fields may hold delimiters,
 * "" and newlines) into each row's byte range and first line; the fields are dropped as they are
 * checked, and split again when a row is read. A row without a quote is one line, and its fields
 * are its text split at the delimiter (csv-parse would give the same); a quoted one is parsed again.
 */
function parseBuffer(bytes: Buffer, file: string): CsvTable {
  const delimiter = detectDelimiter(bytes);
  const starts = new Ints();
  const stops = new Ints();
  const lines = new Ints();
  let header: string[] | null = null;
  let previous = 0;
  const onRecord = (fields: string[], info: { lines: number; bytes: number }): void => {
    const [start, stop] = [previous, info.bytes];
    previous = stop;
    const quoted = bytes.indexOf(0x22, start) !== -1 && bytes.indexOf(0x22, start) < stop;
    const line = quoted ? firstLine(bytes.toString('utf8', start, stop), info.lines) : info.lines;
    if (fields.length === 1 && fields[0] === '') return; // a line of blanks
    if (!header) {
      header = fields;
      const seen = new Set<string>();
      for (const h of fields) {
        if (h === '') throw new DataFileError(file, line, 'empty column name in the header row');
        if (seen.has(h)) throw new DataFileError(file, line, `column '${h}' appears twice in the header row`);
        seen.add(h);
      }
      return;
    }
    if (fields.length !== header.length) {
      throw new DataFileError(file, line, `${fields.length} fields, expected ${header.length} as in the header row`);
    }
    if ((lines.length + 1) * header.length > csvLimits.values) {
      throw new DataFileError(
        file,
        line,
        `more than ${csvLimits.values} values (${lines.length + 1} rows × ${header.length} columns so far), the most a table loads; use fewer rows or columns`,
      );
    }
    starts.push(quoted ? -1 - start : start);
    stops.push(stop);
    lines.push(line);
  };
  try {
    eachRecord(bytes, delimiter, onRecord);
  } catch (e) {
    throw parseError(e, file);
  }
  if (!header) throw new DataFileError(file, null, 'the file is empty, expected a header row and data rows');
  if (lines.length === 0) throw new DataFileError(file, 1, 'a header row but no data rows');
  const [from, to, at] = [starts.view(), stops.view(), lines.view()];
  const row = (i: number): string[] => {
    if (from[i] < 0) {
      // A quoted row: parsed again on its own (its range may begin with blank lines, which are skipped).
      let fields: string[] = [];
      eachRecord(bytes.subarray(-1 - from[i], to[i]), delimiter, (f) => (fields = f));
      return fields;
    }
    const text = bytes.toString('utf8', from[i], to[i]).replace(/\r?\n$/, '');
    return text
      .slice(text.lastIndexOf('\n') + 1)
      .replace(/\r$/, '')
      .split(delimiter)
      .map((f) => f.trim());
  };
  return { file, header, delimiter, length: at.length, lines: at, row };
}
