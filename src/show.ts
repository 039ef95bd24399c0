// showValue: a value from an untrusted file, shown in an error message. JSON.stringify recurses
// (a header field nested 10⁵ deep overflows the stack) and has no length limit; this prints
// the same text as JSON.stringify for small values and cuts deep or long ones with "…".

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
