// CSV parsing: a header row, then data rows of as many fields. A table keeps the file's bytes
// and each row's byte range, not its fields: a file of many short rows as string arrays took
// ~100 bytes of JS heap per row and a 100 MB file ran V8 out of heap, while three integers a row
// live outside it. A row's fields are split again when they are read (csvFromTable reads each
// row once). The number of values (rows × columns) is bounded too, and refused at the line that
// passes the bound, before the arrays the values go into are made.

import { readBounded } from '../io/read-bounded.js';
import { checkUtf8 } from './utf8.js';
import { DataFileError } from './errors.js';

/** A parsed CSV file: its header, and its data rows, whose fields are split when read. */
export interface CsvTable {
  /** The file's name, for messages. */
  file: string;
  /** The column names (the first row). */
  header: string[];
  /** The number of data rows. */
  length: number;
  /** 1-based file line of each row, for error messages. */
  lines: Int32Array;
  /** The fields of data row `i` (from 0), trimmed, quotes removed. */
  row(i: number): string[];
}

/** The largest CSV file read (1 GiB). Its lines are decoded one by one, never as one string. */
export const MAX_CSV_BYTES = 2 ** 30;

/**
 * Bounds of a table, which tests lower. `values`: the most data rows × columns, 2²⁸ (1 GiB as
 * float32 features); a file of short rows within MAX_CSV_BYTES can hold more, and is refused
 * naming this bound. `classes`: the most distinct labels of a classification target, so that a
 * numeric column with a typo in one row (then read as labels) is refused rather than made into
 * millions of classes.
 */
export const csvLimits = { values: 2 ** 28, classes: 2 ** 20 };

/** Splits one line into fields; double quotes may wrap a field, "" inside is a quote. */
function splitLine(line: string, file: string, lineNo: number): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new DataFileError(file, lineNo, 'unterminated quoted field');
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',')
        throw new DataFileError(file, lineNo, `expected a comma after a quoted field at column ${i + 1}`);
    } else {
      const end = line.indexOf(',', i);
      field = line.slice(i, end === -1 ? line.length : end);
      i = end === -1 ? line.length : end;
    }
    fields.push(field.trim());
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

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
 * Parses CSV text: a header row, then data rows of as many fields (commas; double quotes may wrap a field, "" inside is a quote; blank lines skipped). A malformed row is a DataFileError naming the line.
 */
export function parseCsv(text: string, file = '<csv>'): CsvTable {
  return parseBuffer(Buffer.from(text, 'utf8'), file);
}

/** Reads and parses a UTF-8 CSV file (at most maxBytes, default 1 GiB) line by line; errors name the file and line. */
export function readCsvFile(path: string, maxBytes = MAX_CSV_BYTES): CsvTable {
  return parseCsvBytes(
    readBounded(path, maxBytes, 'CSV file', (problem) => new DataFileError(path, null, problem)),
    path,
  );
}

/**
 * A CSV file's bytes, which must be UTF-8, parsed line by line. Typed Uint8Array (a Buffer is
 * one) so that nabla's declarations need no Node typings; read through a Buffer view, no copy.
 */
export function parseCsvBytes(bytes: Uint8Array, file = '<csv>'): CsvTable {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkUtf8(buffer, file);
  return parseBuffer(buffer, file);
}

/**
 * The table of a UTF-8 buffer, decoded a line at a time (V8 strings stop near 512 MB, so a large
 * file is never made into one string); each row is split here to check its field count.
 */
function parseBuffer(bytes: Buffer, file: string): CsvTable {
  const starts = new Ints();
  const stops = new Ints();
  const lines = new Ints();
  let header: string[] | null = null;
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // a byte-order mark
  for (let k = 1; start <= bytes.length; k++) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    const line = bytes.toString('utf8', start, stop);
    const lineStart = start;
    start = end + 1;
    if (line.trim() === '') continue;
    const fields = splitLine(line, file, k);
    if (!header) {
      header = fields;
      const seen = new Set<string>();
      for (const h of fields) {
        if (h === '') throw new DataFileError(file, k, 'empty column name in the header row');
        if (seen.has(h)) throw new DataFileError(file, k, `column '${h}' appears twice in the header row`);
        seen.add(h);
      }
      continue;
    }
    if (fields.length !== header.length) {
      throw new DataFileError(file, k, `${fields.length} fields, expected ${header.length} as in the header row`);
    }
    if ((lines.length + 1) * header.length > csvLimits.values) {
      throw new DataFileError(
        file,
        k,
        `more than ${csvLimits.values} values (${lines.length + 1} rows × ${header.length} columns so far), the most a table loads; use fewer rows or columns`,
      );
    }
    starts.push(lineStart);
    stops.push(stop);
    lines.push(k);
  }
  if (!header) throw new DataFileError(file, null, 'the file is empty, expected a header row and data rows');
  if (lines.length === 0) throw new DataFileError(file, 1, 'a header row but no data rows');
  const [from, to, at] = [starts.view(), stops.view(), lines.view()];
  return {
    file,
    header,
    length: at.length,
    lines: at,
    row: (i) => splitLine(bytes.toString('utf8', from[i], to[i]), file, at[i]),
  };
}
