// Builds the native backend (native/src/*.c) into native/build/nabla.node with the system C
// compiler, linking OpenBLAS's static archive, and oneDNN's shared library (libdnnl.so.2, found
// beside the addon through $ORIGIN, else on the system) where its headers are installed.
// Runs in `npm install` (prepare) and in `npm run build`; rebuilds only when a source changed.
// Without a compiler, Node-API headers or OpenBLAS it prints one line and exits 0: nabla then
// runs on wasm. Headers come from the npm package `node-api-headers`; nothing is downloaded.
//
//   NABLA_NATIVE=0      skip the build (and, at run time, the native backend)
//   CC=...              the compiler (default: cc, then gcc, then clang on PATH)
//   NABLA_OPENBLAS=...  the OpenBLAS static archive (default: Debian's libopenblas-dev one)
//   NABLA_DNNL=0        build without oneDNN even where libdnnl-dev is installed (convolutions
//                       then run through im2col and OpenBLAS)
//   --arch arm64        cross-build for another CPU into native/build/linux-<arch>/nabla.node
//                       (compiler aarch64-linux-gnu-gcc, archive from libopenblas-dev:arm64; see
//                       native/README.md); a missing tool then fails the build instead of skipping it

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const triplets = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };
const archAt = process.argv.indexOf('--arch');
const target = archAt > 0 ? process.argv[archAt + 1] : arch();
const cross = target !== arch();
const triplet = triplets[target];
if (!triplet) {
  console.error(`build-native: --arch ${target}: expected one of ${Object.keys(triplets).join(', ')}`);
  process.exit(1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'native/src');
const output = join(root, cross ? `native/build/linux-${target}/nabla.node` : 'native/build/nabla.node');
const skip = (why) => {
  if (cross) {
    console.error(`build-native: cannot cross-build for ${target}: ${why}`);
    process.exit(1);
  }
  console.log(`nabla: native backend not built (${why}); nabla runs on wasm`);
  process.exit(0);
};

if (process.env.NABLA_NATIVE === '0') skip('NABLA_NATIVE=0');
if (process.platform !== 'linux') skip(`no build recipe for ${process.platform} yet`);

const sources = readdirSync(srcDir)
  .filter((f) => f.endsWith('.c'))
  .map((f) => join(srcDir, f));
const inputs = [
  ...sources,
  ...readdirSync(srcDir)
    .filter((f) => f.endsWith('.h'))
    .map((f) => join(srcDir, f)),
  fileURLToPath(import.meta.url),
];

const works = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const cc = (cross ? [process.env.CC, `${triplet}-gcc`] : [process.env.CC, 'cc', 'gcc', 'clang']).find(
  (c) => c && works(c),
);
if (!cc) skip('no C compiler on PATH');

let headers;
try {
  headers = createRequire(import.meta.url).resolve('node-api-headers/package.json');
} catch {
  skip('the node-api-headers package is not installed');
}
const include = join(dirname(headers), 'include');

const openblas = [
  process.env.NABLA_OPENBLAS,
  `/usr/lib/${triplet}/openblas-pthread/libopenblas.a`,
  `/usr/lib/${triplet}/libopenblas.a`,
].find((f) => f && existsSync(f));
if (!openblas) skip(`no OpenBLAS static archive (apt install libopenblas-dev, or set NABLA_OPENBLAS)`);

// oneDNN (Debian's libdnnl-dev) for convolution and max pooling, when its header and library are both here.
const dnnl =
  process.env.NABLA_DNNL !== '0' &&
  !cross &&
  existsSync('/usr/include/oneapi/dnnl/dnnl.h') &&
  existsSync(`/usr/lib/${triplet}/libdnnl.so`);

mkdirSync(dirname(output), { recursive: true });
const tmp = `${output}.${process.pid}.tmp`;
// -ffp-contract=off: no FMA contraction, so the float32 updates round as js's do;
// -fno-math-errno: sqrt becomes one (vectorisable) instruction (nabla never reads errno);
// -fno-trapping-math: loops with selects vectorise below AVX-512 too (nabla never reads the
// floating-point exception flags; values are unchanged).
const args = [
  '-O3',
  '-std=c11',
  '-D_GNU_SOURCE',
  '-ffp-contract=off',
  '-fno-math-errno',
  '-fno-trapping-math',
  // OpenMP splits the per-value, per-row and per-channel kernels over threads (kernels.h).
  '-fopenmp',
  '-fPIC',
  '-shared',
  '-fvisibility=hidden',
  '-Wall',
  '-Wextra',
  '-Werror',
  `-I${include}`,
  ...(dnnl ? ['-DNABLA_DNNL'] : []),
  ...sources,
  openblas,
  // OpenBLAS's symbols stay private to the addon (another module in the process may bring its own BLAS).
  '-Wl,--exclude-libs,ALL',
  '-Wl,-s',
  ...(dnnl ? ['-ldnnl'] : []),
  '-lgomp',
  // RPATH (not RUNPATH) $ORIGIN: the platform package's libdnnl.so.2 and libgomp.so.1 beside the
  // addon, and their own dependencies there too (a RUNPATH would not reach them).
  '-Wl,--disable-new-dtags,-rpath,$ORIGIN',
  '-lpthread',
  '-lm',
  '-o',
  tmp,
];
// Up to date: built from these sources, after their last change, with these flags (NABLA_DNNL=0
// and a newly installed libdnnl-dev change them).
const stamp = `${output}.flags`;
const flags = JSON.stringify([cc, ...args.filter((a) => a !== tmp)]);
const built = existsSync(output) && existsSync(stamp) && readFileSync(stamp, 'utf8') === flags;
if (built && inputs.every((f) => statSync(f).mtimeMs <= statSync(output).mtimeMs)) process.exit(0);
const run = spawnSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
if (run.status !== 0) {
  rmSync(tmp, { force: true });
  console.error(`nabla: the native backend failed to compile (${cc} exited with ${run.status}); nabla runs on wasm`);
  process.exit(process.env.CI ? 1 : 0);
}
renameSync(tmp, output);
writeFileSync(stamp, flags);
console.log(
  `nabla: built the native backend${cross ? ` for ${target}` : ''} (${cc}, ${openblas}, ${dnnl ? 'with oneDNN for convolution and max pooling' : 'without oneDNN: convolution through im2col (apt install libdnnl-dev to link it)'})`,
);
