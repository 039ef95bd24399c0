// A browser app bundled with Vite, as a user's project builds it ('nabla' resolved through the
// package's `browser` export and `#native-addon` import): the build prints no warning (the native
// addon's loader is not in it), the bundle runs (in Node, as the module a page would load: the
// two-line app prints 1·3 + 2·4 = 11, the README's XOR example learns XOR), and its sizes are
// reported. `sideEffects` (package.json) lets unused layers, models and the WebGPU backend drop out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, createLogger } from 'vite';
import { root } from '../helpers/pack.js';

const TWO_LINES = `import { tensor } from 'nabla';
console.log(tensor([[1, 2]]).matmul(tensor([[3], [4]])).item());
`;

/** The README's example, as the README test takes it. */
function readmeExample(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /```ts\n([\s\S]*?)\n```/.exec(readme.slice(readme.indexOf('## A 20-line example')));
  assert.ok(block, 'the README has no example');
  return `${block[1]}\n`;
}

/** Builds app/main.js with Vite; returns the bundle's path and what Vite warned. */
async function bundle(app: string): Promise<{ file: string; warnings: string[] }> {
  const warnings: string[] = [];
  const logger = createLogger('warn');
  logger.warn = (msg) => void warnings.push(msg);
  logger.warnOnce = (msg) => void warnings.push(msg);
  await build({
    root: app,
    configFile: false,
    logLevel: 'warn',
    customLogger: logger,
    build: { target: 'esnext', modulePreload: { polyfill: false }, rollupOptions: { input: join(app, 'main.js') } },
  });
  const assets = join(app, 'dist', 'assets');
  const files = readdirSync(assets);
  assert.deepEqual(
    files.filter((f) => !f.endsWith('.js')),
    [],
    'the bundle has only JavaScript (no addon, no asset)',
  );
  assert.equal(files.length, 1, `one chunk: ${files.join(', ')}`);
  return { file: join(assets, files[0]), warnings };
}

test('a Vite build of a two-line app and of the README example: no warning, runs, sizes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-bundle-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'nabla'), 'dir');
    for (const [name, source] of [
      ['two-lines', TWO_LINES],
      ['xor', readmeExample()],
    ]) {
      const app = join(dir, name);
      mkdirSync(app);
      writeFileSync(join(app, 'main.js'), source);
      const { file, warnings } = await bundle(app);
      assert.deepEqual(warnings, [], `${name}: Vite warned`);
      const text = readFileSync(file, 'utf8');
      assert.doesNotMatch(
        text,
        /nabla\.node|native\/build|node:module/,
        `${name}: the addon's loader is in the bundle`,
      );
      // What the app does not use drops out (names as the classes and their messages spell them);
      // what it uses stays.
      const absent = ['Conv2d', 'BatchNorm2d', 'LSTM', 'GPT', 'MultiheadAttention', 'requestAdapter'];
      const used = name === 'xor' ? ['Linear', 'Adam'] : [];
      if (name === 'two-lines') absent.push('Linear', 'Adam');
      assert.deepEqual(
        absent.filter((w) => text.includes(w)),
        [],
        `${name}: unused code in the bundle`,
      );
      assert.deepEqual(
        used.filter((w) => !text.includes(w)),
        [],
        `${name}: used code missing from the bundle`,
      );
      const run = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 0, `${name}: ${run.stderr}`);
      if (name === 'two-lines') assert.equal(run.stdout.trim(), '11');
      else {
        const outputs = run.stdout.slice(
          run.stdout.lastIndexOf('[\n') >= 0 ? run.stdout.lastIndexOf('[\n') : run.stdout.lastIndexOf('[ ['),
        );
        assert.deepEqual(
          (JSON.parse(outputs) as number[][]).map(([p]) => Math.round(p)),
          [0, 1, 1, 0],
          run.stdout,
        );
      }
      t.diagnostic(`${name}: ${statSync(file).size} bytes`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
