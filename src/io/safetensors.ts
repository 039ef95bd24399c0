// safetensors, Hugging Face's tensor file format, read strictly and written by our own code:
//   [8 bytes: header length n, u64 little-endian][n bytes: JSON header, UTF-8, starts with '{']
//   [data: raw little-endian row-major tensors, back to back]
// The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] } (offsets
// relative to the data section) and may hold "__metadata__", a map of strings to strings.
//
// dtypes: F32 ↔ float32 tensors, F64 ↔ float64 tensors. I64 (PyTorch's int64, e.g. step
// counters) loads into a float64 tensor, exactly: a value beyond ±2^53 is refused, since a
// float64 cannot hold it. To write I64, name the tensor in `options.dtypes`.

import { Tensor } from '../tensor.js';
import { shapeStr } from '../shape.js';
import { ModelFileError } from './errors.js';
import { readPrefix } from './read-bounded.js';
import { showValue } from '../show.js';

/** The safetensors element types nabla reads and writes: F32 and F64 for tensors, I64 for integer counts (loaded as float64). */
export type SafetensorsDType = 'F32' | 'F64' | 'I64';

/** Integers up to 2^53 in magnitude are exact in a float64. */
const I64_LIMIT = 2 ** 53;

const BYTES: Record<SafetensorsDType, number> = { F32: 4, F64: 8, I64: 8 };

/** The largest header we read: the same cap as the reference Rust implementation (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * The header cap in force, read and written: encodeSafetensors refuses a header that no reader
 * (nabla's or the reference) would accept, before a byte is written. Tests lower it.
 */
export const headerLimit = { bytes: MAX_HEADER_BYTES };

/** Options of encodeSafetensors and saveStateDict. */
export interface EncodeOptions {
  /** Stores the named tensors as I64 (their values must be integers within ±2^53). */
  dtypes?: Record<string, SafetensorsDType>;
}

/** A decoded safetensors file: its tensors, its metadata and each tensor's dtype in the file. */
export interface DecodedSafetensors {
  /** The tensors by name (F32 as float32, F64 and I64 as float64). */
  tensors: Record<string, Tensor>;
  /** The header's __metadata__ (strings), {} when absent. */
  metadata: Record<string, string>;
  /** The dtype each tensor had in the file (I64 tensors load as float64). */
  dtypes: Record<string, SafetensorsDType>;
}

// Typed arrays are host-endian; safetensors is little-endian, as is every platform Node runs on.
function assertLittleEndianHost(): void {
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1)
    throw new Error('safetensors: big-endian hosts are not supported');
}

/**
 * A safetensors file (Hugging Face's format, as safetensors.torch.save writes it) of these named
 * tensors and string metadata: float32 tensors as F32, float64 as F64, and those named in
 * options.dtypes as I64. The bytes are the tensors' own (bit-exact); the header is padded so the
 * data is 8-aligned.
 *
 * @example
 * ```ts
 * const bytes = encodeSafetensors({ w: randn([3, 2]) }, { note: 'test' });
 * decodeSafetensors(bytes).tensors.w.shape;   // [3, 2]
 * ```
 */
export function encodeSafetensors(
  tensors: Record<string, Tensor>,
  metadata: Record<string, string> = {},
  options: EncodeOptions = {},
): Uint8Array {
  assertLittleEndianHost();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string')
        throw new Error(`encodeSafetensors: metadata value '${k}' must be a string, got ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new Error("encodeSafetensors: '__metadata__' cannot be a tensor name");
    if (!(t instanceof Tensor)) throw new Error(`encodeSafetensors: '${name}' is not a Tensor`);
    const dtype = options.dtypes?.[name] ?? (t.dtype === 'float64' ? 'F64' : 'F32');
    const bytes = tensorBytes(name, t, dtype);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces so the data starts 8-aligned, as the reference implementation does.
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  if (padded > headerLimit.bytes) throw new Error(headerTooLarge(padded, header));
  const headerBytes = new Uint8Array(padded).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Why a header is too large: its size, the cap and its largest part (a metadata entry or the tensor entries). */
function headerTooLarge(length: number, header: Record<string, unknown>): string {
  const metadata = Object.entries((header.__metadata__ ?? {}) as Record<string, string>);
  const [name, value] = metadata.reduce((a, b) => (b[1].length > a[1].length ? b : a), ['', '']);
  const largest =
    value.length > length / 2
      ? `metadata '${name}' is ${value.length} characters`
      : `${Object.keys(header).length - (metadata.length > 0 ? 1 : 0)} tensor entries`;
  return `encodeSafetensors: the header would be ${length} bytes (${largest}), more than the cap of ${headerLimit.bytes} that safetensors readers accept`;
}

function tensorBytes(name: string, t: Tensor, dtype: SafetensorsDType): Uint8Array {
  switch (dtype) {
    case 'F32':
      return rawBytes(t.data instanceof Float32Array ? t.data : Float32Array.from(t.data));
    case 'F64':
      return rawBytes(t.data instanceof Float64Array ? t.data : Float64Array.from(t.data));
    case 'I64': {
      const out = new BigInt64Array(t.size);
      t.data.forEach((v, i) => {
        if (!(Number.isInteger(v) && Math.abs(v) <= I64_LIMIT)) {
          throw new Error(
            `encodeSafetensors: '${name}' element ${i} is ${v}, not an integer within ±2^53 as I64 needs`,
          );
        }
        out[i] = BigInt(v);
      });
      return new Uint8Array(out.buffer);
    }
    default:
      throw new Error(`encodeSafetensors: unknown dtype '${dtype as string}' for '${name}' (use F32, F64 or I64)`);
  }
}

/** The array's own bytes, bit-exact (NaN payloads included): a view, copied once into the file. */
function rawBytes(a: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

interface Entry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/** The header's length, text and JSON object, checked; `bytes` holds at least the header. */
function parseHeader(
  bytes: Uint8Array,
  fileLength: number,
  fail: (problem: string, where?: number | string | null) => ModelFileError,
): { headerLength: number; text: string; header: Record<string, unknown> } {
  if (bytes.length < 8) throw fail(`file has ${bytes.length} bytes, too short for the 8-byte header length`, 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(headerLimit.bytes)) throw fail(`header length ${n} exceeds the cap of ${headerLimit.bytes} bytes`, 0);
  const headerLength = Number(n);
  if (8 + headerLength > fileLength) {
    throw fail(`header length ${headerLength} runs past the end of the file (${fileLength} bytes)`, 0);
  }
  if (headerLength === 0 || bytes[8] !== 0x7b) throw fail("header does not begin with '{'", 8);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw fail('header is not valid UTF-8', 8);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw fail(`header is not valid JSON: ${(e as Error).message}`, 8);
  }
  if (!isObject(header)) throw fail('header is not a JSON object', 8);
  const dup = duplicateKey(text);
  if (dup?.entry === null) throw fail('duplicate name in the header', dup.key);
  if (dup) throw fail(`duplicate key '${dup.key}' in its header entry (JSON keeps only the last)`, dup.entry);
  return { headerLength, text, header };
}

/**
 * The __metadata__ of a safetensors file from its header alone: reads at most the header's
 * bytes (capped at headerLimit.bytes), never the tensors.
 */
export function readSafetensorsMetadata(path: string): Record<string, string> {
  const fail = (problem: string, where: number | string | null = null) => new ModelFileError(path, problem, where);
  const reject = (problem: string) => new ModelFileError(path, problem);
  const { bytes: first, size } = readPrefix(path, 8, 'model file', reject);
  const n = first.length === 8 ? first.readBigUInt64LE(0) : 0n;
  const { bytes } = readPrefix(path, 8 + Number(n > BigInt(headerLimit.bytes) ? 0n : n), 'model file', reject);
  const { header } = parseHeader(n > BigInt(headerLimit.bytes) ? first : bytes, size, fail);
  return header.__metadata__ === undefined ? {} : readMetadata(header.__metadata__, fail);
}

/**
 * Reads safetensors bytes, checking everything (header length and JSON, dtypes, shapes, offsets
 * that tile the data exactly) and throwing a ModelFileError that names `file` and the byte offset or
 * tensor at fault. I64 values beyond ±2^53 are refused (they would not load exactly).
 */
export function decodeSafetensors(bytes: Uint8Array, file = '<bytes>'): DecodedSafetensors {
  assertLittleEndianHost();
  const fail = (problem: string, where: number | string | null = null) => new ModelFileError(file, problem, where);
  const { headerLength, header } = parseHeader(bytes, bytes.length, fail);

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') metadata = readMetadata(value, fail);
    else entries.push(readEntry(name, value, dataLength, fail));
  }

  // The tensors must tile the data section exactly: no overlaps, no holes, nothing after.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous = '';
  for (const e of sorted) {
    if (e.begin > cursor)
      throw fail(`hole of ${e.begin - cursor} unused bytes before tensor '${e.name}'`, dataStart + cursor);
    if (e.begin < cursor) throw fail(`tensor '${e.name}' overlaps tensor '${previous}'`, dataStart + e.begin);
    cursor = e.end;
    previous = e.name;
  }
  if (cursor !== dataLength)
    throw fail(`${dataLength - cursor} unused bytes after the last tensor`, dataStart + cursor);

  const tensors: [string, Tensor][] = [];
  for (const e of entries)
    tensors.push([e.name, toTensor(e, bytes.subarray(dataStart + e.begin, dataStart + e.end), dataStart, fail)]);
  return {
    // fromEntries defines own properties, so even a tensor named "__proto__" stays data.
    tensors: Object.fromEntries(tensors),
    metadata,
    dtypes: Object.fromEntries(entries.map((e) => [e.name, e.dtype])),
  };
}

type Fail = (problem: string, where?: number | string | null) => ModelFileError;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readMetadata(value: unknown, fail: Fail): Record<string, string> {
  if (!isObject(value)) throw fail('__metadata__ is not an object of strings', '__metadata__');
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw fail(`metadata value '${k}' is not a string`, '__metadata__');
  }
  return value as Record<string, string>;
}

function readEntry(name: string, value: unknown, dataLength: number, fail: Fail): Entry {
  if (!isObject(value)) throw fail('tensor entry is not an object', name);
  for (const key of Object.keys(value)) {
    if (key !== 'dtype' && key !== 'shape' && key !== 'data_offsets')
      throw fail(`unknown field '${key}' in tensor entry`, name);
  }
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string' || !Object.hasOwn(BYTES, dtype)) {
    throw fail(`unsupported dtype ${showValue(dtype)} (nabla reads F32, F64 and I64)`, name);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw fail(`shape ${showValue(shape)} is not a list of non-negative integers`, name);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw fail(`data_offsets ${showValue(offsets)} is not a pair of non-negative integers`, name);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    throw fail(`data_offsets [${begin}, ${end}] lie outside the data section of ${dataLength} bytes`, name);
  }
  const elementBytes = BYTES[dtype as SafetensorsDType];
  const size = (shape as number[]).reduce((p, d) => p * d, 1) * elementBytes; // may reach Infinity: then it cannot match
  if (size !== end - begin) {
    throw fail(
      `shape ${shapeStr(shape)} of ${dtype} needs ${size} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      name,
    );
  }
  return { name, dtype: dtype as SafetensorsDType, shape: shape as number[], begin, end };
}

function toTensor(e: Entry, raw: Uint8Array, dataStart: number, fail: Fail): Tensor {
  const buffer = new Uint8Array(raw).buffer; // a copy (never a view of a Buffer pool), aligned for the typed array
  if (e.dtype === 'F32') return new Tensor(new Float32Array(buffer), e.shape, 'float32');
  if (e.dtype === 'F64') return new Tensor(new Float64Array(buffer), e.shape, 'float64');
  const ints = new BigInt64Array(buffer);
  const out = new Float64Array(ints.length);
  const limit = BigInt(I64_LIMIT);
  for (let i = 0; i < ints.length; i++) {
    if (ints[i] > limit || ints[i] < -limit) {
      throw fail(
        `I64 value ${ints[i]} of tensor '${e.name}' element ${i} is beyond ±2^53 and cannot load exactly`,
        dataStart + e.begin + 8 * i,
      );
    }
    out[i] = Number(ints[i]);
  }
  return new Tensor(out, e.shape, 'float64');
}

/**
 * The first key that appears twice in one object of a header that JSON.parse has accepted (it
 * keeps only the last, silently: a tensor entry with two dtypes, or two entries of one name),
 * with the top-level entry it is in (null when it is a top-level key). A scan, not recursion.
 */
function duplicateKey(text: string): { key: string; entry: string | null } | null {
  const open: (Set<string> | null)[] = []; // each open object's keys so far; null for an array
  let expectKey = false;
  let entry: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const keys = open[open.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (keys.has(key)) return { key, entry: open.length === 1 ? null : entry };
        keys.add(key);
        if (open.length === 1) entry = key;
      }
      expectKey = false;
      i = j;
    } else if (c === '{' || c === '[') {
      open.push(c === '{' ? new Set() : null);
      expectKey = c === '{';
    } else if (c === '}' || c === ']') open.pop();
    else if (c === ',') expectKey = open[open.length - 1] instanceof Set;
  }
  return null;
}
