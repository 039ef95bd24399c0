// The prebuilt layout (scripts/pack-native.mjs) as a user installs it: the main package's tarball
// (its optionalDependencies name the platform packages) and this platform's package, installed
// offline into an empty project, run on native; the main tarball alone runs on wasm and says in
// one line why there is no native. Skipped where the addon is not built or npm is absent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { platformPackage } from '../../src/backend/native/addon.js';
import { nativeBuild } from '../../src/backend/native/index.js';
import { emptyProject, hasNpm, manifest, packMain, root, run } from '../helpers/pack.js';

const name = platformPackage(process.platform, process.arch);

// What a user's program sees: the backend, a product on it, and why native is absent if it is.
const PROGRAM = `import { backendInfo, getBackend, setBackend, tensor } from 'nabla';
const product = tensor([[1, 2]]).matmul(tensor([[3], [4]])).item();
let refused = null;
try { await setBackend('native'); } catch (e) { refused = e.message; }
console.log(JSON.stringify({ backend: getBackend(), product, nativeAbsent: backendInfo().nativeAbsent ?? null, refused }));
`;

function install(
  project: string,
  tarballs: string[],
): { backend: string; product: number; nativeAbsent: string | null; refused: string | null } {
  const r = run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], project);
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  writeFileSync(join(project, 'main.js'), PROGRAM);
  const out = run(process.execPath, ['main.js'], project);
  assert.equal(out.status, 0, out.stderr);
  return JSON.parse(out.stdout);
}

test('npm install of nabla and its platform package gives native; without the platform package, wasm and why', (t) => {
  if (!existsSync(join(root, 'native/build/nabla.node'))) return t.skip('the native addon is not built here');
  if (!hasNpm()) return t.skip('npm is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'nabla-prebuilt-'));
  try {
    const pack = spawnSync(process.execPath, [join(root, 'scripts/pack-native.mjs'), '--out', join(dir, 'pkg')], {
      encoding: 'utf8',
    });
    assert.equal(pack.status, 0, pack.stderr);
    const platformTarball = pack.stdout.trim();
    const platformManifest = JSON.parse(readFileSync(join(dir, 'pkg', name, 'package.json'), 'utf8'));
    assert.deepEqual([platformManifest.os, platformManifest.cpu], [[process.platform], [process.arch]]);
    const main = packMain(dir);
    const published = JSON.parse(
      spawnSync('tar', ['-xzOf', main.path, 'package/package.json'], { encoding: 'utf8' }).stdout,
    );
    assert.equal(
      published.optionalDependencies[name],
      manifest.version,
      'the main package names this platform package',
    );

    const withNative = join(dir, 'with');
    emptyProject(withNative);
    assert.deepEqual(install(withNative, [main.path, platformTarball]), {
      backend: 'native',
      product: 11,
      nativeAbsent: null,
      refused: null,
    });
    // An addon linked with oneDNN loads the libdnnl.so.2 its package carries, not the system's.
    if (nativeBuild()?.dnn) {
      const installed = join(withNative, 'node_modules', name);
      for (const f of ['libdnnl.so.2', 'libgomp.so.1', 'libOpenCL.so.1', 'LICENSE-libdnnl2'])
        assert.ok(existsSync(join(installed, f)), `the package lacks ${f}`);
      const ldd = spawnSync('ldd', [join(installed, 'nabla.node')], { encoding: 'utf8' }).stdout;
      assert.match(ldd, new RegExp(`libdnnl\\.so\\.2 => ${installed.replaceAll('.', '\\.')}/libdnnl\\.so\\.2`));
      const mb = (statSync(platformTarball).size / 2 ** 20).toFixed(1);
      t.diagnostic(`packed with ${nativeBuild()!.dnn}: ${mb} MB`);
      // The size native/README.md states (MiB, to the tenth), for a build with oneDNN.
      const stated = /the\s+linux-x64\s+tarball\s+is\s+([\d.]+)\s+MB/.exec(
        readFileSync(join(root, 'native/README.md'), 'utf8'),
      );
      assert.equal(stated?.[1], mb, "native/README.md's size of the linux-x64 tarball");
    }

    const without = join(dir, 'without');
    emptyProject(without);
    const absent = `the package ${name} is not installed`;
    assert.deepEqual(install(without, [main.path]), {
      backend: 'wasm',
      product: 11,
      nativeAbsent: absent,
      refused: `setBackend: the native backend did not load here (${absent}); available: js, wasm, webgpu`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
