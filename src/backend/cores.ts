// The machine's core count, the default thread count of the wasm and native backends. No static
// import of Node modules: browser bundles load this too.

/** Logical cores: the browser's hardwareConcurrency, Node's availableParallelism, else 1. */
export function cores(): number {
  const g = globalThis as {
    navigator?: { hardwareConcurrency?: number };
    process?: { getBuiltinModule?(id: string): unknown };
  };
  if (g.navigator?.hardwareConcurrency) return g.navigator.hardwareConcurrency;
  // Node ≥ 20.16 (the native addon needs it too); on older Nodes the default is one thread.
  const os = g.process?.getBuiltinModule?.('node:os') as { availableParallelism(): number } | undefined;
  return os?.availableParallelism() ?? 1;
}
