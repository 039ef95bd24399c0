// The README's example, as a user copies it, runs unchanged on every backend: js, wasm, native
// (where the addon is built) and webgpu on the software adapter (Dawn over the SwiftShader Vulkan
// driver Debian's chromium ships, as test/backend/webgpu.test.ts starts it), and learns XOR: the
// reference is XOR's truth table, not nabla's own output.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const SWIFTSHADER = '/usr/lib/chromium/libvk_swiftshader.so';
const ICD = join(root, 'test/fixtures/swiftshader-icd.json');

/** The README's example: the first TypeScript block under its "A 20-line example" heading. */
function readmeExample(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## A 20-line example'));
  const block = /```ts\n([\s\S]*?)\n```/.exec(section);
  assert.ok(block, 'README.md has no ```ts block under "## A 20-line example"');
  return block[1].split('\n');
}

test('the README example is at most 20 lines and imports from the package by its name', () => {
  const lines = readmeExample();
  assert.ok(lines.length <= 20, `${lines.length} lines`);
  assert.match(lines[0], /from 'nabla';$/);
});

test('the README example runs unchanged on js, wasm, native and webgpu (software adapter) and learns XOR', (t) => {
  // Beside dist/, inside the package, so `import … from 'nabla'` resolves to this package by its own
  // name (Node's self-reference through package.json `exports`), as it does in a user's project.
  const example = join(here, `readme-example-${process.pid}.mjs`);
  const runner = join(here, `readme-example-${process.pid}-run.mjs`);
  writeFileSync(example, `${readmeExample().join('\n')}\n`);
  writeFileSync(
    runner,
    `import { getBackend, setBackend } from 'nabla';\nawait setBackend(process.argv[2]);\nconsole.log(getBackend());\nawait import(${JSON.stringify(`./readme-example-${process.pid}.mjs`)});\n`,
  );
  try {
    const libs = existsSync('/usr/lib/chromium/libvulkan.so.1') ? '/usr/lib/chromium' : '';
    const gpuEnv = {
      ...process.env,
      VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? ICD,
      LD_LIBRARY_PATH: [libs, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
    };
    const backends = [
      ['js', process.env],
      ['wasm', process.env],
      ['native', existsSync(join(root, 'native/build/nabla.node')) ? process.env : null],
      ['webgpu', process.env.VK_ICD_FILENAMES || existsSync(SWIFTSHADER) ? gpuEnv : null],
    ] as const;
    for (const [backend, env] of backends) {
      if (!env) {
        t.diagnostic(`${backend}: skipped (not available here)`);
        continue;
      }
      const r = spawnSync(process.execPath, [runner, backend], { env, encoding: 'utf8', timeout: 120_000 });
      assert.equal(r.status, 0, `${backend}: ${r.stdout}\n${r.stderr}`);
      const [ran, ...printed] = r.stdout.trim().split('\n');
      assert.equal(ran, backend);
      // Six losses (steps 0, 100, …, 500), falling, then the four XOR outputs.
      const losses = printed.slice(0, 6).map((l) => Number(l.split(' ')[1]));
      assert.deepEqual(
        printed.slice(0, 6).map((l) => Number(l.split(' ')[0])),
        [0, 100, 200, 300, 400, 500],
      );
      assert.ok(losses[0] > 0.5 && losses[5] < 0.05, `${backend}: losses ${losses}`);
      const outputs = JSON.parse(printed.slice(6).join('')) as number[][];
      assert.deepEqual(
        outputs.map(([p]) => Math.round(p)),
        [0, 1, 1, 0],
        `${backend}: outputs ${JSON.stringify(outputs)}`,
      );
      t.diagnostic(`${backend}: losses ${losses.map((l) => l.toFixed(4)).join(' ')}`);
    }
  } finally {
    rmSync(example, { force: true });
    rmSync(runner, { force: true });
  }
});
