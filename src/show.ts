// Text from untrusted files, shown. showValue: a value in an error message; JSON.stringify
// recurses (a header field nested 10⁵ deep overflows the stack) and has no length limit, so this
// prints the same text as JSON.stringify for small values and cuts deep or long ones with "…".
// printable: a string with its control characters shown as \xNN (C0, DEL and C1 would move a
// terminal's cursor, clear its screen or set its title, and C0 makes XML ill-formed).

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
