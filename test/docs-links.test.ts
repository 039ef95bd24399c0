// Every relative link in the README and the guides resolves: the file exists, and a `#anchor`
// names a heading of the file it points into (GitHub's heading slugs, which npm's page uses too).
// And the figures the README states that a test can count here (the layer types) are the counts
// of the code; the package's sizes are checked where it is packed (test/package/pack.test.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAYER_TYPES } from '../src/nn/layers/table.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** README.md, native/README.md and every markdown file under docs/ but the generated API reference. */
function documents(): string[] {
  const found = ['README.md', 'native/README.md'];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory() && path !== join('docs', 'api')) walk(path);
      else if (e.name.endsWith('.md')) found.push(path);
    }
  };
  walk('docs');
  return found;
}

/** The text outside fenced code blocks and inline code spans. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's slug of a heading: lower case, punctuation but `-` and `_` dropped, spaces as `-`. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a markdown file's headings (a repeated heading gets -1, -2, … as on GitHub). */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const line of text.replace(/^```[\s\S]*?^```/gm, '').split('\n')) {
    const h = /^#{1,6} (.*)$/.exec(line);
    if (!h) continue;
    const s = slug(h[1]);
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    found.add(n === 0 ? s : `${s}-${n}`);
  }
  return found;
}

/** The broken relative links of one document, each as `file: [text](target): why`. */
function brokenLinks(doc: string, text = readFileSync(join(root, doc), 'utf8')): string[] {
  const broken: string[] = [];
  for (const [, label, target] of prose(text).matchAll(/!?\[([^\]]*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
    const [path, anchor] = target.split('#') as [string, string | undefined];
    const file = path === '' ? join(root, doc) : join(root, dirname(doc), decodeURIComponent(path));
    const where = `${doc}: [${label}](${target})`;
    if (!existsSync(file)) {
      broken.push(`${where}: ${relative(root, file)} does not exist`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!file.endsWith('.md') || statSync(file).isDirectory()) {
      broken.push(`${where}: an anchor into a file that is not markdown`);
      continue;
    }
    if (!anchors(readFileSync(file, 'utf8')).has(anchor))
      broken.push(`${where}: ${relative(root, file)} has no heading #${anchor}`);
  }
  return broken;
}

test('every relative link in the README and docs/ resolves, anchors included', () => {
  const docs = documents();
  assert.ok(docs.length > 5, `found only ${docs.join(', ')}`);
  assert.deepEqual(
    docs.flatMap((doc) => brokenLinks(doc)),
    [],
  );
});

test('every guide in docs/guides is linked from the README', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const unlinked = readdirSync(join(root, 'docs', 'guides')).filter((f) => !readme.includes(`](docs/guides/${f}`));
  assert.deepEqual(unlinked, []);
});

test('the link check finds a missing file and a missing anchor, and GitHub slugs headings as GitHub does', () => {
  assert.equal(
    slug('The command line (`npx nabla ...`, each subcommand has `--help`)'),
    'the-command-line-npx-nabla--each-subcommand-has---help',
  );
  assert.equal(slug('Backends: native, WebAssembly and threads'), 'backends-native-webassembly-and-threads');
  assert.deepEqual([...anchors('# A\n## B c\n```\n# not a heading\n```\n## B c\n')], ['a', 'b-c', 'b-c-1']);
  assert.deepEqual(
    brokenLinks(
      'README.md',
      '[a](nope.md) [b](docs/ARCHITECTURE.md#nope) [c](LICENSE) [d](#install) [e](https://x.org/y)',
    ),
    [
      'README.md: [a](nope.md): nope.md does not exist',
      'README.md: [b](docs/ARCHITECTURE.md#nope): docs/ARCHITECTURE.md has no heading #nope',
    ],
  );
  assert.equal(prose('a [x](y.md) `[z](w.md)`\n```\n[v](u.md)\n```\n'), 'a [x](y.md) \n\n');
});

test("the README's count of layer types is the layer table's", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const stated = /(\d+) layer\s+types/.exec(readme);
  assert.ok(stated, 'the README states no count of layer types');
  assert.equal(Number(stated[1]), LAYER_TYPES.length);
});
