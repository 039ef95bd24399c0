// Strings from untrusted files reach the terminal with their control characters shown as \xNN, and
// SVG text stays well-formed XML: a class label that would clear the screen and set the window
// title, and a model file whose metadata and tensor name carry escape sequences for `inspect`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nn, save } from '../../src/index.js';
import { printable } from '../../src/show.js';

const main = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'nabla-terminal-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const HOSTILE = '\x1b[2J\x1b[31mRED\x1b]0;pwned\x07';
// No ESC, BEL or other C0/C1 character but the layout's newlines.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const clean = (s: string) => !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(s);

function nabla(...args: string[]) {
  return spawnSync(process.execPath, [main, ...args], { encoding: 'utf8' });
}

test('printable shows control characters as \\xNN, keeping newlines unless one line is asked for', () => {
  assert.equal(printable(HOSTILE), '\\x1b[2J\\x1b[31mRED\\x1b]0;pwned\\x07');
  assert.equal(printable('a\tb\nc\u009bd'), 'a\tb\nc\\x9bd');
  assert.equal(printable('a\nb\r', true), 'a\\x0ab\\x0d');
});

test('a hostile class label is escaped in the confusion and per-class tables, eval, and the SVG', () => {
  const lines = ['a,b,label'];
  for (let i = 0; i < 60; i++) lines.push(`${(i % 10) / 10},${(i % 7) / 7},"${i % 2 ? HOSTILE : 'plain'}"`);
  const data = join(tmp, 'hostile.csv');
  writeFileSync(data, `${lines.join('\n')}\n`);
  const out = join(tmp, 'run');
  const r = nabla('train', '--data', data, '--target', 'label', '--epochs', '2', '--layers', '8', '--out', out);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(clean(r.stdout) && clean(r.stderr), 'raw control characters printed');
  assert.match(r.stdout, /\\x1b\[2J\\x1b\[31mRED/);
  const svg = readFileSync(join(out, 'confusion.svg'), 'utf8');
  assert.ok(clean(svg), 'control characters in confusion.svg');
  const e = nabla('eval', '--model', out, '--data', data);
  assert.equal(e.status, 0, e.stderr);
  assert.ok(clean(e.stdout) && clean(e.stderr), 'raw control characters printed by eval');
});

test('inspect escapes what a crafted model file says of itself, and errors escape file names', () => {
  const file = join(tmp, 'crafted.safetensors');
  save(new nn.Sequential(new nn.Linear(2, 1)), file, { metadata: { note: HOSTILE } });
  const r = nabla('inspect', file);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(clean(r.stdout), `raw control characters printed by inspect: ${JSON.stringify(r.stdout)}`);
  // A tensor named with an escape sequence, in a safetensors file written by hand.
  const header = Buffer.from(JSON.stringify({ [`w${HOSTILE}`]: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  const named = join(tmp, 'named.safetensors');
  writeFileSync(named, Buffer.concat([length, header, Buffer.alloc(4)]));
  const n = nabla('inspect', named);
  assert.equal(n.status, 0, n.stderr);
  assert.ok(clean(n.stdout), `raw control characters printed by inspect: ${JSON.stringify(n.stdout)}`);
  const missing = nabla('inspect', join(tmp, `no\nsuch${HOSTILE}.safetensors`));
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  assert.ok(clean(missing.stderr), missing.stderr);
  assert.match(missing.stderr, /no\\x0asuch\\x1b\[2J/);
});
