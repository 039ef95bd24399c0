// State dicts are plain JSON (checkpoints store them as JSON), but JSON has no ±Infinity or NaN:
// JSON.stringify writes them as null. Values that can be non-finite, such as a "best so far"
// that starts at ±Infinity, are stored as a number when finite and as a string otherwise.

import { showValue } from '../show.js';

/** @inline */
export type JsonNumber = number | 'Infinity' | '-Infinity' | 'NaN';

export function encodeNumber(v: number): JsonNumber {
  return Number.isFinite(v) ? v : (String(v) as JsonNumber);
}

/** The number `v` encodes; `where` names the field in the error. */
export function decodeNumber(v: unknown, where: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v === 'Infinity' || v === '-Infinity' || v === 'NaN') return Number(v);
  throw new Error(`${where}: expected a finite number or 'Infinity', '-Infinity', 'NaN', got ${showValue(v)}`);
}

/** A counter of a state dict: a non-negative integer. */
export function decodeCount(v: unknown, where: string): number {
  if (Number.isSafeInteger(v) && (v as number) >= 0) return v as number;
  throw new Error(`${where}: expected a non-negative integer, got ${showValue(v)}`);
}
