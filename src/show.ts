// Text shown to people. showValue: a value in an error message; JSON.stringify
// recurses (a header field nested 10⁵ deep overflows the stack) and has no length limit, so this
// prints the same text as JSON.stringify for small values and cuts deep or long ones with "…".
// printable: a string with its control characters shown as \xNN (C0, DEL and C1 would move a
// terminal's cursor, clear its screen or set its title, and C0 makes XML ill-formed).
// formatValues, formatTensor: a tensor's values as PyTorch prints them (torch/_tensor_str.py,
// default print options): four decimals, or whole numbers with a trailing '.', or scientific notation when the magnitudes
// span more than 10³ (or pass 10⁸, or fall under 10⁻⁴); one width for every value, lines of at
// most 80 characters, and above 1,000 values only the first and last 3 of each axis around '...'.

import { sizeOf } from './shape.js';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL_OR_LINE = /[\u0000-\u001f\u007f-\u009f]/g;

const hex = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** s with its control characters shown as \xNN, newlines and tabs kept; with `oneLine`, those too. */
export function printable(s: string, oneLine = false): string {
  return s.replace(oneLine ? CONTROL_OR_LINE : CONTROL, hex);
}

const MAX_DEPTH = 8;

export function showValue(v: unknown, budget = 200): string {
  let out = '';
  const full = () => out.length >= budget;
  const walk = (x: unknown, depth: number): void => {
    if (full()) return;
    if (Array.isArray(x)) {
      if (depth >= MAX_DEPTH) return void (out += '[…]');
      out += '[';
      for (let i = 0; i < x.length && !full(); i++) {
        if (i > 0) out += ',';
        walk(x[i], depth + 1);
      }
      out += ']';
    } else if (typeof x === 'object' && x !== null) {
      if (depth >= MAX_DEPTH) return void (out += '{…}');
      out += '{';
      let first = true;
      for (const k of Object.keys(x)) {
        if (full()) break;
        out += `${first ? '' : ','}${JSON.stringify(k)}:`;
        first = false;
        walk((x as Record<string, unknown>)[k], depth + 1);
      }
      out += '}';
    } else if (typeof x === 'string') out += JSON.stringify(x.length > budget ? x.slice(0, budget) : x);
    else if (typeof x === 'number' || typeof x === 'boolean')
      out += JSON.stringify(x); // NaN and ±Infinity show as null, as in JSON
    else out += String(x);
  };
  walk(v, 0);
  return out.length > budget ? `${out.slice(0, budget)}…` : out;
}

const PRECISION = 4;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 80;

/**
 * The tensor as PyTorch's repr: `tensor(` and its values, then `suffixes` (`dtype=float32`, ...)
 * after commas, each on a new line where it would pass LINE_WIDTH.
 */
export function formatTensor(values: string, suffixes: readonly string[]): string {
  let out = `tensor(${values}`;
  let lineLength = out.length - out.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lineLength + suffix.length + 2 > LINE_WIDTH) {
      out += `,\n${' '.repeat(PREFIX.length)}${suffix}`;
      lineLength = PREFIX.length + suffix.length;
    } else {
      out += `, ${suffix}`;
      lineLength += suffix.length + 2;
    }
  }
  return `${out})`;
}

/** What the values follow, and so their indent. */
export const PREFIX = 'tensor(';

/** The values of a tensor of `shape` (row-major `data`) as PyTorch's tensor(...) shows them, after `indent` columns. */
export function formatValues(data: ArrayLike<number>, shape: readonly number[], indent: number): string {
  if (data.length === 0) return '[]';
  const summarize = data.length > THRESHOLD;
  const formatter = new Formatter(summarize ? summarized(data, shape) : Array.from(data));
  return nested(data, shape, 0, indent, summarize, formatter);
}

/** Whether formatValues leaves values out (above THRESHOLD values). */
export const isSummarized = (size: number): boolean => size > THRESHOLD;

/** The indices kept along an axis of `n`: all, or the first and last EDGE_ITEMS. */
function kept(n: number, summarize: boolean): number[] | null {
  return summarize && n > 2 * EDGE_ITEMS ? null : Array.from({ length: n }, (_, i) => i);
}

/** The values that a summarised print shows (they alone set the width and the notation, as in PyTorch). */
function summarized(data: ArrayLike<number>, shape: readonly number[]): number[] {
  const out: number[] = [];
  const walk = (axis: number, offset: number) => {
    if (axis === shape.length) return void out.push(data[offset]);
    const stride = sizeOf(shape.slice(axis + 1));
    const n = shape[axis];
    const edge = n > 2 * EDGE_ITEMS;
    for (let i = 0; i < n; i++) {
      if (edge && i === EDGE_ITEMS) i = n - EDGE_ITEMS;
      walk(axis + 1, offset + i * stride);
    }
  };
  walk(0, 0);
  return out;
}

function nested(
  data: ArrayLike<number>,
  shape: readonly number[],
  offset: number,
  indent: number,
  summarize: boolean,
  f: Formatter,
): string {
  const rank = shape.length;
  if (rank === 0) return f.format(data[offset]);
  const n = shape[0];
  const stride = sizeOf(shape.slice(1));
  const at = (i: number) =>
    rank === 1
      ? f.format(data[offset + i])
      : nested(data, shape.slice(1), offset + i * stride, indent + 1, summarize, f);
  const all = kept(n, summarize);
  const items = all
    ? all.map(at)
    : [
        ...Array.from({ length: EDGE_ITEMS }, (_, i) => at(i)),
        rank === 1 ? ' ...' : '...',
        ...Array.from({ length: EDGE_ITEMS }, (_, i) => at(n - EDGE_ITEMS + i)),
      ];
  if (rank > 1) return `[${items.join(`,${'\n'.repeat(rank - 1)}${' '.repeat(indent + 1)}`)}]`;
  // A vector wraps at LINE_WIDTH: as many values per line as fit, each taking its width and ', '.
  const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (f.width + 2)));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
  return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
}

/** PyTorch's _Formatter for floating-point tensors: the notation and width set by the values shown. */
class Formatter {
  private intMode = true;
  private sciMode = false;
  width = 1;

  constructor(values: readonly number[]) {
    const finite = values.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
    if (finite.length === 0) return;
    const min = Math.min(...finite);
    const max = Math.max(...finite);
    this.intMode = finite.every((v) => Number.isInteger(v));
    this.sciMode = max / min > 1000 || max > 1e8 || (!this.intMode && min < 1e-4);
    for (const v of values) if (Number.isFinite(v) && v !== 0) this.width = Math.max(this.width, this.text(v).length);
  }

  /** The value's text before padding. */
  private text(v: number): string {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    const sign = v < 0 || Object.is(v, -0) ? '-' : '';
    const a = Math.abs(v);
    if (this.sciMode) return sign + exponential(a, PRECISION);
    if (this.intMode) return `${sign}${fixed(a, 0)}.`;
    return sign + fixed(a, PRECISION);
  }

  /** The value right-aligned to the width. */
  format(v: number): string {
    return this.text(v).padStart(this.width);
  }
}

/**
 * a ≥ 0 with `digits` decimals, rounding an exact tie to even as Python's format does (toFixed
 * rounds it up: 0.03125 is '0.0313' there, '0.0312' in PyTorch).
 */
function fixed(a: number, digits: number): string {
  const text = a.toFixed(digits);
  const exact = a.toFixed(Math.min(100, digits + 80));
  const cut = exact.indexOf('.') + (digits === 0 ? 0 : 1) + digits;
  if (!/^\.?50*$/.test(exact.slice(cut))) return text;
  const down = exact.slice(0, cut);
  return Number(down[down.length - 1]) % 2 === 0 ? down : text;
}

/** a ≥ 0 as Python's '{:.4e}': a mantissa of `digits` decimals and an exponent of at least two digits. */
function exponential(a: number, digits: number): string {
  const [mantissa, exponent] = a.toExponential(digits).split('e');
  const e = Number(exponent);
  return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}
