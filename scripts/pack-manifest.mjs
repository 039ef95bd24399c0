// The package.json that goes into nabla's tarball. npm packs package.json as it is on disk, and
// npm 11 lists the `prepare` script of a package installed from a tarball, a folder or git as an
// install script "not yet covered by allowScripts". The repository needs `prepare` (a clone's
// `npm install` builds the wasm kernels and the native addon); the tarball does not: it ships the
// built dist/src. So `prepack` runs `strip`, which keeps package.json's text in
// package.json.packing and writes it without `scripts.prepare`, and `postpack` runs `restore`.
//
//   node scripts/pack-manifest.mjs strip | restore

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const path = join(root, 'package.json');
const kept = join(root, 'package.json.packing');

function strip() {
  // A pack that failed after its prepack never ran postpack: start again from the kept original.
  if (existsSync(kept)) renameSync(kept, path);
  const text = readFileSync(path, 'utf8');
  writeFileSync(kept, text);
  const manifest = JSON.parse(text);
  delete manifest.scripts.prepare;
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
if (mode === 'strip') strip();
else if (mode === 'restore') restore();
else {
  console.error(`pack-manifest: expected 'strip' or 'restore', got ${mode === undefined ? 'nothing' : `'${mode}'`}`);
  process.exit(1);
}
