// checkHyper: the one check of an optimizer's, scheduler's or clipper's numeric settings. A
// non-finite value (lr: Infinity, a NaN momentum) would make every parameter NaN at the first
// step, far from its cause; each is refused at construction, naming the class and the setting.

export interface Range {
  /** Lowest allowed value (default 0). */
  min?: number;
  /** Highest allowed value (default none). */
  max?: number;
  /** The bounds themselves are not allowed. */
  minOpen?: boolean;
  maxOpen?: boolean;
  integer?: boolean;
}

function describe(r: Range): string {
  const min = r.min ?? 0;
  const what = r.integer ? 'an integer' : 'a finite number';
  if (r.max === undefined) return `${what} ${r.minOpen ? '>' : '≥'} ${min}`;
  return `${what} in ${r.minOpen ? '(' : '['}${min}, ${r.max}${r.maxOpen ? ')' : ']'}`;
}

export function checkHyper(owner: string, name: string, v: number, r: Range = {}): number {
  const min = r.min ?? 0;
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (r.minOpen ? v > min : v >= min) &&
    (r.max === undefined || (r.maxOpen ? v < r.max : v <= r.max)) &&
    (!r.integer || Number.isInteger(v));
  if (!ok) throw new Error(`${owner}: ${name} must be ${describe(r)}, got ${String(v)}`);
  return v;
}
