// Finds and loads the native addon (native/src, built by scripts/build-native.mjs) in Node only:
// first a prebuilt platform package (platformPackage below, see native/README.md), then the
// repository's own build. Anywhere else, or when neither loads, or with NABLA_NATIVE=0, there is
// no addon and nabla runs on wasm. Its users import it as `#native-addon` (package.json `imports`),
// which a browser bundle resolves to no-addon.ts instead; no static import of Node modules here
// all the same, for bundlers that ignore that condition.

/** The addon's exports: its kernels by contract name, plus thread control and build info. */
export interface Addon {
  matmul(
    a: unknown,
    b: unknown,
    out: unknown,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
    aOffset: number,
    bOffset: number,
    outOffset: number,
    bias: unknown,
    biasOffset: number,
    relu: boolean,
  ): void;
  unary(op: number, x: unknown, out: unknown, p: number, q: number): void;
  fill(out: unknown, value: number): void;
  binary(op: number, a: unknown, b: unknown, out: unknown, meta: Int32Array): void;
  reduce(op: number, x: unknown, out: unknown, meta: Int32Array, trailing: boolean): void;
  logSoftmax(x: unknown, out: unknown, rows: number, cols: number): void;
  permute(x: unknown, out: unknown, meta: Int32Array): void;
  pick(x: unknown, idx: unknown, rows: number, cols: number, out: unknown): void;
  unpick(g: unknown, idx: unknown, rows: number, cols: number, out: unknown): void;
  gatherRows(table: unknown, idx: Int32Array, cols: number, out: unknown): void;
  scatterAddRows(g: unknown, idx: Int32Array, cols: number, skip: number, out: unknown): void;
  im2col(x: unknown, geometry: Int32Array, padValue: number, out: unknown): void;
  col2im(cols: unknown, geometry: Int32Array, out: unknown): void;
  place(x: unknown, out: unknown, meta: Int32Array): void;
  axpy(y: unknown, x: unknown, alpha: number): void;
  scale(x: unknown, alpha: number): void;
  normAccumulate(x: unknown, p: number, acc: number): number;
  sgd(
    p: unknown,
    grad: unknown,
    b: unknown,
    lr: number,
    momentum: number,
    dampening: number,
    nesterov: boolean,
    weightDecay: number,
    first: boolean,
  ): void;
  adam(
    p: unknown,
    grad: unknown,
    m: unknown,
    v: unknown,
    vMax: unknown,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    decoupled: boolean,
    stepSize: number,
    bias2Sqrt: number,
  ): void;
  rmsprop(
    p: unknown,
    grad: unknown,
    s: unknown,
    gAvg: unknown,
    b: unknown,
    lr: number,
    alpha: number,
    eps: number,
    weightDecay: number,
    momentum: number,
  ): void;
  conv2d(
    x: unknown,
    weight: unknown,
    out: unknown,
    geometry: Int32Array,
    outChannels: number,
    groups: number,
    bias: unknown,
    relu: boolean,
    weightStamp: number,
  ): void;
  conv2dInputGrad(
    gy: unknown,
    weight: unknown,
    out: unknown,
    geometry: Int32Array,
    outChannels: number,
    groups: number,
  ): void;
  conv2dWeightGrad(
    x: unknown,
    gy: unknown,
    out: unknown,
    geometry: Int32Array,
    outChannels: number,
    groups: number,
  ): void;
  batchNorm(
    x: unknown,
    weight: unknown,
    bias: unknown,
    out: unknown,
    mean: unknown,
    variance: unknown,
    batch: number,
    channels: number,
    plane: number,
    eps: number,
  ): void;
  batchNormBackward(
    x: unknown,
    gy: unknown,
    weight: unknown,
    mean: unknown,
    variance: unknown,
    gx: unknown,
    gWeight: unknown,
    gBias: unknown,
    batch: number,
    channels: number,
    plane: number,
    eps: number,
  ): void;
  maxPool2d(x: unknown, geometry: Int32Array, out: unknown, idx: Int32Array): void;
  maxPool2dBackward(gy: unknown, idx: Int32Array, out: unknown): void;
  softmax(x: unknown, out: unknown, rows: number, cols: number): void;
  softmaxBackward(y: unknown, gy: unknown, out: unknown, rows: number, cols: number): void;
  layerNorm(
    x: unknown,
    weight: unknown,
    bias: unknown,
    out: unknown,
    mean: unknown,
    rstd: unknown,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  layerNormBackward(
    x: unknown,
    gy: unknown,
    weight: unknown,
    mean: unknown,
    rstd: unknown,
    gx: unknown,
    gWeight: unknown,
    gBias: unknown,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  setThreads(n: number): void;
  setMapThreads(n: number): void;
  info(): { blas: string; core: string; threads: number; dnn: string | null };
}

interface NodeProcess {
  versions?: { node?: string };
  platform: string;
  arch: string;
  env: Record<string, string | undefined>;
  getBuiltinModule?(id: string): unknown;
}

/** Why the addon did not load (null when it did, or when this is not Node). */
export let addonLoadError: string | null = null;

/**
 * The npm package that ships the prebuilt addon for this platform (scripts/pack-native.mjs
 * builds it): one per os/cpu/libc, as esbuild and sharp do, so npm installs only the one that fits.
 */
export function platformPackage(platform: string, arch: string): string {
  return `nabla-${platform}-${arch}${platform === 'linux' ? '-gnu' : ''}`;
}

function load(): Addon | null {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.versions?.node) return null;
  if (proc.env.NABLA_NATIVE === '0') {
    addonLoadError = 'NABLA_NATIVE=0';
    return null;
  }
  // Node ≥ 20.16 has getBuiltinModule, which loads node:module without an import a bundler would follow.
  const builtin = proc.getBuiltinModule?.bind(proc);
  if (!builtin) {
    addonLoadError = 'this Node has no process.getBuiltinModule (Node ≥ 20.16 needed)';
    return null;
  }
  const { createRequire } = builtin('node:module') as { createRequire(from: string): (id: string) => unknown };
  const { fileURLToPath } = builtin('node:url') as { fileURLToPath(u: URL): string };
  const require = createRequire(import.meta.url);
  // oneDNN's OpenMP threads wait passively between calls unless the user says otherwise: spinning
  // (libgomp's default) takes the core OpenBLAS's threads need next (libgomp reads it at load).
  proc.env.OMP_WAIT_POLICY ??= 'PASSIVE';
  const pkg = platformPackage(proc.platform, proc.arch);
  const candidates = [pkg, fileURLToPath(new URL('../../../../native/build/nabla.node', import.meta.url))];
  const errors: string[] = [];
  for (const id of candidates) {
    try {
      return require(id) as Addon;
    } catch (e) {
      const { code, message } = e as { code?: string; message: string };
      // A package that is not there is the common case (a platform without one, an install that
      // skipped optional dependencies): say what to install; any other failure, as it is.
      if (code === 'MODULE_NOT_FOUND' && id === pkg) errors.push(`the package ${pkg} is not installed`);
      else if (code !== 'MODULE_NOT_FOUND') errors.push(`${id}: ${message.split('\n')[0]}`);
    }
  }
  addonLoadError = errors.join('; ');
  return null;
}

export const addon: Addon | null = load();
