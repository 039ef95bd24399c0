// Publishes nabla: the prebuilt native package of every platform in scripts/platforms.mjs, then
// the main package, which lists them in its optionalDependencies at the same version (so the
// platform packages go first: the main package never names one that is not there yet).
//
//   node scripts/publish.mjs [--dry-run] [--allow-missing] [--tag TAG]
//
// Each platform's addon must be built first (`npm run build:native`, and `-- --arch arm64` for the
// cross-built one, see native/README.md); a missing one stops the run, unless --allow-missing
// publishes without it (npm then finds no package for that platform and nabla runs on wasm there).
// The main package is packed with `npm pack`, whose prepack builds the library and writes the
// published manifest; every tarball is packed before any is published. --dry-run passes npm's
// own --dry-run: everything but the upload.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLATFORMS } from './platforms.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const allowMissing = args.includes('--allow-missing');
const tagAt = args.indexOf('--tag');
const known = new Set(['--dry-run', '--allow-missing', '--tag']);
const unknown = args.filter((a, i) => !known.has(a) && !(tagAt >= 0 && i === tagAt + 1));
if (unknown.length > 0 || (tagAt >= 0 && !args[tagAt + 1])) {
  console.error(`publish: usage: node scripts/publish.mjs [--dry-run] [--allow-missing] [--tag TAG]`);
  process.exit(1);
}
const npmFlags = [...(dryRun ? ['--dry-run'] : []), ...(tagAt >= 0 ? ['--tag', args[tagAt + 1]] : [])];

const out = mkdtempSync(join(tmpdir(), 'nabla-publish-'));
try {
  const tarballs = [];
  for (const { os, cpu } of PLATFORMS) {
    if (os !== process.platform) {
      console.error(`publish: ${os}-${cpu} is packed on ${os}, not here (${process.platform})`);
      if (!allowMissing) process.exit(1);
      continue;
    }
    const addon = join(root, cpu === process.arch ? 'native/build/nabla.node' : `native/build/${os}-${cpu}/nabla.node`);
    if (!existsSync(addon)) {
      console.error(`publish: ${addon} is missing (${os}-${cpu}): build it first, or pass --allow-missing`);
      if (!allowMissing) process.exit(1);
      continue;
    }
    const packed = execFileSync(
      process.execPath,
      [join(root, 'scripts/pack-native.mjs'), '--arch', cpu, '--out', out],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    tarballs.push(packed.trim());
  }
  const main = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .pop();
  tarballs.push(join(out, main));
  for (const tarball of tarballs) {
    console.log(`publish: ${tarball}`);
    execFileSync('npm', ['publish', ...npmFlags, tarball], { cwd: out, stdio: 'inherit' });
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
