// What the command prints comes partly from files it may not trust: class labels, the names and
// metadata in a model file, file names. So every string it prints through the console shows its
// control characters as \xNN (show.ts printable); newlines and tabs, the layout's own, stay.

import { printable } from '../show.js';

/** Makes console.log, .info, .warn and .error print every string argument as printable() shows it. */
export function escapeConsole(): void {
  for (const name of ['log', 'info', 'warn', 'error'] as const) {
    const write = console[name].bind(console);
    console[name] = (...args: unknown[]) => write(...args.map((a) => (typeof a === 'string' ? printable(a) : a)));
  }
}
