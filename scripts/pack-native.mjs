// Packs the built addon (native/build/nabla.node) as this platform's npm package, the layout
// esbuild and sharp use: one package per os/cpu/libc holding the `.node` file, listed in the
// main package's optionalDependencies at publish time, so npm installs only the one that fits
// and nothing is downloaded or compiled at install. The addon loader (src/backend/native/addon.ts)
// requires it by the same name. Writes <out>/<name>/ and its tarball in <out> (default
// native/build/npm; `--out DIR` to change it) and prints the tarball's path. Run after
// `npm run build` (it reads the package name from dist). `--arch arm64` packs the cross-built
// addon (scripts/build-native.mjs --arch arm64) as that CPU's package instead.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const archAt = process.argv.indexOf('--arch');
const cpu = archAt > 0 ? process.argv[archAt + 1] : process.arch;
const addon = join(
  root,
  cpu === process.arch ? 'native/build/nabla.node' : `native/build/${process.platform}-${cpu}/nabla.node`,
);
if (!existsSync(addon)) {
  console.error(
    `pack-native: ${addon} is missing: run npm run build:native${cpu === process.arch ? '' : ` -- --arch ${cpu}`} first`,
  );
  process.exit(1);
}
const { platformPackage } = await import(join(root, 'dist/src/backend/native/addon.js'));
const { version, repository } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const name = platformPackage(process.platform, cpu);
const outAt = process.argv.indexOf('--out');
const out = outAt > 0 ? process.argv[outAt + 1] : join(root, 'native/build/npm');
if (!out) {
  console.error('pack-native: --out needs a directory');
  process.exit(1);
}
const dir = join(out, name);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
copyFileSync(addon, join(dir, 'nabla.node'));
copyFileSync(join(root, 'native/LICENSE-OpenBLAS'), join(dir, 'LICENSE-OpenBLAS'));
// The addon finds its shared libraries beside itself ($ORIGIN in its RPATH, which also serves
// their own dependencies): the OpenMP runtime its kernels thread with, and where it links oneDNN,
// oneDNN and the OpenCL loader oneDNN links; each with its Debian copyright file.
const bundled = [];
const licences_used = ['MIT', 'BSD-3-Clause'];
const ldd = execFileSync('ldd', [addon], { encoding: 'utf8' });
const licences = {
  'libdnnl.so.2': 'Apache-2.0',
  'libgomp.so.1': 'GPL-3.0-or-later WITH GCC-exception-3.1',
  'libOpenCL.so.1': 'BSD-2-Clause',
};
for (const [lib, licence] of Object.entries(licences)) {
  const line = new RegExp(`\\b${lib.replaceAll('.', '\\.')} => (\\S+)`).exec(ldd);
  if (!line) continue; // not linked
  if (!existsSync(line[1])) {
    console.error(`pack-native: ${lib}, which the addon needs, is not found (ldd ${addon})`);
    process.exit(1);
  }
  const owner = execFileSync('dpkg', ['-S', realpathSync(line[1])], { encoding: 'utf8' }).split(':')[0];
  copyFileSync(line[1], join(dir, lib));
  copyFileSync(`/usr/share/doc/${owner}/copyright`, join(dir, `LICENSE-${owner}`));
  bundled.push(lib, `LICENSE-${owner}`);
  licences_used.push(licence);
}
const manifest = {
  name,
  version,
  description: `The nabla native backend (Node-API addon with OpenBLAS${bundled.includes('libdnnl.so.2') ? ' and oneDNN' : ''}) prebuilt for ${process.platform}-${cpu}`,
  main: 'nabla.node',
  files: ['nabla.node', 'LICENSE-OpenBLAS', ...bundled],
  os: [process.platform],
  cpu: [cpu],
  ...(process.platform === 'linux' ? { libc: ['glibc'] } : {}),
  license: licences_used.map((l) => (l.includes(' ') ? `(${l})` : l)).join(' AND '),
  ...(repository ? { repository } : {}),
};
writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', dirname(dir)], {
  cwd: dir,
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .pop();
console.log(join(dirname(dir), tarball));
