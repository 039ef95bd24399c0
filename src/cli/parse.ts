// Flag value parsers for commander: each rejects a bad value with a message that commander
// prints as `error: option '--lr <number>' argument 'abc' is invalid. expected ...`.

import { InvalidArgumentError } from 'commander';
import { MAX_PARAMETERS } from '../nn/layers/entry.js';
import { UsageError } from './errors.js';

// Flags whose values allocate or run are bounded, so a typo such as --epochs 1e300 or
// --layers 100000,100000 is refused by the flag's name before any work.
export const MAX_EPOCHS = 1_000_000;
export const MAX_BATCH = 2 ** 20;
export const MAX_LAYER_SIZE = 2 ** 20;
export const MAX_HIDDEN_LAYERS = 1000;
export const MAX_IMAGE_SIDE = 65_536;
export const MAX_IMAGE_PIXELS = 2 ** 24;

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

/** An integer flag within [min, max]. */
export function intIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer in ${min}..${max}`);
    return n;
  };
}

export function fraction(value: string): number {
  const n = number(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError('expected a number in [0, 1)');
  return n;
}

/** "256,128" → [256, 128]; "" or "none" → [] (no hidden layer). */
export function intList(value: string): number[] {
  if (value === '' || value === 'none') return [];
  const parts = value.split(',');
  if (parts.length > MAX_HIDDEN_LAYERS)
    throw new InvalidArgumentError(`expected at most ${MAX_HIDDEN_LAYERS} sizes, got ${parts.length}`);
  return parts.map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n <= 0 || n > MAX_LAYER_SIZE)
      throw new InvalidArgumentError(`expected comma-separated integers in 1..${MAX_LAYER_SIZE}, '${s}' is not one`);
    return n;
  });
}

/** "id,name" → ['id', 'name']: column names (trimmed; none empty). */
export function nameList(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((n) => n === ''))
    throw new InvalidArgumentError('expected comma-separated column names, e.g. id,name');
  return names;
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
  if (parts.length !== 3 || !parts.every((n) => Number.isInteger(n) && n > 0 && n <= MAX_IMAGE_SIDE)) {
    throw new InvalidArgumentError(`expected C,H,W: three integers in 1..${MAX_IMAGE_SIDE}, e.g. 1,28,28`);
  }
  if (parts[0] * parts[1] * parts[2] > MAX_IMAGE_PIXELS)
    throw new InvalidArgumentError(`expected at most ${MAX_IMAGE_PIXELS} values per image, got ${parts.join('×')}`);
  return parts as [number, number, number];
}

/** An MLP of these layer sizes (inputs first) within the parameter cap, else an error naming the flag. */
export function checkMlpSize(flag: string, sizes: number[]): void {
  let count = 0;
  for (let i = 1; i < sizes.length; i++) count += (sizes[i - 1] + 1) * sizes[i];
  if (count > MAX_PARAMETERS) {
    throw new UsageError(
      `${flag}: an MLP of ${sizes.join('→')} has ${count} parameters, more than the cap of ${MAX_PARAMETERS}`,
    );
  }
}
