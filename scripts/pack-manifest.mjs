// The package.json that goes into nabla's tarball. npm packs package.json as it is on disk, so
// `prepack` runs `write`, which keeps package.json's text in package.json.packing and writes the
// published manifest, and `postpack` runs `restore`. The published manifest differs in two ways:
//
// - no `scripts.prepare`: npm 11 lists the `prepare` script of a package installed from a tarball,
//   a folder or git as an install script "not yet covered by allowScripts". A clone needs it (its
//   `npm install` builds the wasm kernels and the native addon); the tarball ships the built dist/src.
// - `optionalDependencies` on the prebuilt native packages (scripts/platforms.mjs) at this version:
//   npm installs the one that fits the machine. The repository does not list them itself: it
//   builds its own addon, and a lockfile cannot hold packages that are published only with it.
//
//   node scripts/pack-manifest.mjs write | restore

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLATFORMS } from './platforms.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const path = join(root, 'package.json');
const kept = join(root, 'package.json.packing');

async function write() {
  // A pack that failed after its prepack never ran postpack: start again from the kept original.
  if (existsSync(kept)) renameSync(kept, path);
  const text = readFileSync(path, 'utf8');
  writeFileSync(kept, text);
  const manifest = JSON.parse(text);
  delete manifest.scripts.prepare;
  const { platformPackage } = await import(join(root, 'dist/src/backend/native/addon.js'));
  manifest.optionalDependencies = Object.fromEntries(
    PLATFORMS.map((p) => [platformPackage(p.os, p.cpu), manifest.version]),
  );
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

function restore() {
  if (!existsSync(kept)) {
    console.error('pack-manifest: package.json.packing is missing: nothing to restore (did prepack run?)');
    process.exit(1);
  }
  renameSync(kept, path);
}

const mode = process.argv[2];
if (mode === 'write') await write();
else if (mode === 'restore') restore();
else {
  console.error(`pack-manifest: expected 'write' or 'restore', got ${mode === undefined ? 'nothing' : `'${mode}'`}`);
  process.exit(1);
}
