// The active backend. Ops ask for it at every call, so switching takes effect at once.

import type { Backend } from './contract.js';
import { jsBackend } from './js/index.js';

const backends = new Map<string, Backend>([['js', jsBackend]]);
let active: Backend = jsBackend;

export function backend(): Backend {
  return active;
}

export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
}

export function setBackend(name: string): void {
  const b = backends.get(name);
  if (!b) throw new Error(`setBackend: unknown backend '${name}' (available: ${[...backends.keys()].join(', ')})`);
  active = b;
}

/** Names of every registered backend. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

export function getBackend(): string {
  return active.name;
}
