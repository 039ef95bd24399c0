// Flag value parsers for commander: each rejects a bad value with a message that commander
// prints as `error: option '--lr <number>' argument 'abc' is invalid. expected ...`.

import { InvalidArgumentError } from 'commander';

export function number(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

export function positive(value: string): number {
  const n = number(value);
  if (!(n > 0)) throw new InvalidArgumentError('expected a positive number');
  return n;
}

export function positiveInt(value: string): number {
  const n = number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

export function fraction(value: string): number {
  const n = number(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError('expected a number in [0, 1)');
  return n;
}

/** "256,128" → [256, 128]; "" or "none" → [] (no hidden layer). */
export function intList(value: string): number[] {
  if (value === '' || value === 'none') return [];
  return value.split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected comma-separated positive integers, '${s}' is not one`);
    return n;
  });
}

export function choice<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value) => {
    const v = value.toLowerCase() as T;
    if (!choices.includes(v)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`);
    return v;
  };
}

/** "1,28,28" → [1, 28, 28]: one image's channels, height and width. */
export function imageShape(value: string): [number, number, number] {
  const parts = value.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 3 || !parts.every((n) => Number.isInteger(n) && n > 0)) {
    throw new InvalidArgumentError('expected C,H,W: three positive integers, e.g. 1,28,28');
  }
  return parts as [number, number, number];
}
