// The prebuilt layout (scripts/pack-native.mjs): this platform's package installs into an empty
// project (npm checks its os/cpu/libc), and a copy of nabla with no addon of its own next to it
// finds it by name and runs on native. Skipped where the addon is not built.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { platformPackage } from '../../src/backend/native/addon.js';
import { nativeBuild } from '../../src/backend/native/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test('the platform package installs and a nabla without its own build loads native from it', (t) => {
  if (!existsSync(join(root, 'native/build/nabla.node'))) return t.skip('the native addon is not built here');
  const dir = mkdtempSync(join(tmpdir(), 'nabla-prebuilt-'));
  try {
    const pack = spawnSync(process.execPath, [join(root, 'scripts/pack-native.mjs'), '--out', join(dir, 'pkg')], {
      encoding: 'utf8',
    });
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = pack.stdout.trim();
    const name = platformPackage(process.platform, process.arch);
    const manifest = JSON.parse(readFileSync(join(dir, 'pkg', name, 'package.json'), 'utf8'));
    assert.deepEqual([manifest.os, manifest.cpu], [[process.platform], [process.arch]]);
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{"private": true}');
    const install = spawnSync(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--prefix', project, tarball],
      { encoding: 'utf8' },
    );
    assert.equal(install.status, 0, `${install.stdout}\n${install.stderr}`);
    // nabla's core as a consumer has it, with no native/build next to it (the core needs no
    // runtime dependency, so it runs without them installed).
    const nabla = join(project, 'node_modules', 'nabla');
    cpSync(join(root, 'dist', 'src'), join(nabla, 'dist', 'src'), { recursive: true });
    cpSync(join(root, 'package.json'), join(nabla, 'package.json'));
    const core = JSON.stringify(join(nabla, 'dist', 'src', 'core.js'));
    const script = `import(${core}).then((n) => console.log(n.getBackend(), n.tensor([[1, 2]]).matmul(n.tensor([[3], [4]])).item()))`;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: project, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'native 11');
    // An addon linked with oneDNN loads the libdnnl.so.2 its package carries, not the system's.
    if (nativeBuild()?.dnn) {
      const installed = join(project, 'node_modules', name);
      for (const f of ['libdnnl.so.2', 'libgomp.so.1', 'libOpenCL.so.1', 'LICENSE-libdnnl2'])
        assert.ok(existsSync(join(installed, f)), `the package lacks ${f}`);
      const ldd = spawnSync('ldd', [join(installed, 'nabla.node')], { encoding: 'utf8' }).stdout;
      assert.match(ldd, new RegExp(`libdnnl\\.so\\.2 => ${installed.replaceAll('.', '\\.')}/libdnnl\\.so\\.2`));
      t.diagnostic(`packed with ${nativeBuild()!.dnn}: ${(statSync(tarball).size / 2 ** 20).toFixed(1)} MB`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
