// The code in docs/ARCHITECTURE.md is real code. A fenced block whose info string names a file
// (```ts src/ops/defs/silu.ts) is an excerpt of that file: its lines, in order, with a line
// `// ...` wherever the excerpt skips some: code that compiles, and this test fails when the file
// changes under it.
// A ```ts block that names no file is user code: it is type-checked against the built package
// (`import … from 'nabla'` resolves to dist/, as for a user), each block a module of its own.
// Other blocks (the tree, a tool's output) are text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOC = 'docs/ARCHITECTURE.md';

interface Block {
  /** The info string's first word (ts, c, ...) and the file it names, if any. */
  readonly lang: string;
  readonly file: string | null;
  /** The line of the block's first code line in the document, from 1. */
  readonly line: number;
  readonly code: string[];
}

/** The fenced code blocks of a markdown text. */
function blocks(text: string): Block[] {
  const found: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    assert.ok(end > i, `the block opened at line ${i + 1} is not closed`);
    found.push({ lang: open[1], file: open[2] || null, line: i + 2, code: lines.slice(i + 1, end) });
    i = end;
  }
  return found;
}

const ELISION = '// ...';

/**
 * Where an excerpt departs from its file, or null when every run of lines between `// ...` lines
 * stands in the file, in order (indentation aside: an excerpt may be shifted left).
 */
function departure(excerpt: Block, fileText: string): string | null {
  const file = fileText.split('\n').map((l) => l.trim());
  let from = 0;
  let runStart = 0;
  const lines = excerpt.code.map((l) => l.trim());
  while (runStart < lines.length) {
    let runEnd = lines.indexOf(ELISION, runStart);
    if (runEnd < 0) runEnd = lines.length;
    const run = lines.slice(runStart, runEnd);
    const at = run.length ? findRun(file, run, from) : from;
    if (at < 0) {
      // The longest head of the run that the file has, and the line after it.
      let matched = 0;
      while (matched < run.length && findRun(file, run.slice(0, matched + 1), from) >= 0) matched++;
      const where = `line ${excerpt.line + runStart + matched} (${JSON.stringify(run[matched])})`;
      if (matched === 0) return `${where} is not in ${excerpt.file}${from ? ` after its line ${from}` : ''}`;
      const next = findRun(file, run.slice(0, matched), from) + matched;
      return `${where} departs from ${excerpt.file}, which has ${JSON.stringify(file[next] ?? '(its end)')} there (its line ${next + 1})`;
    }
    from = at + run.length;
    runStart = runEnd + 1;
  }
  return null;
}

/** The first index ≥ from where `run` stands in `lines`, or −1. */
function findRun(lines: readonly string[], run: readonly string[], from: number): number {
  for (let i = from; i + run.length <= lines.length; i++) {
    if (run.every((l, j) => lines[i + j] === l)) return i;
  }
  return -1;
}

/**
 * Type-checks each block as a module beside the document, padded with blank lines so that a
 * diagnostic's line is the document's; returns the diagnostics, formatted.
 */
function typeCheck(doc: string, examples: readonly Block[]): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
  };
  const virtual = new Map(
    examples.map((b, i) => [
      join(root, `${doc}.example-${i + 1}.ts`),
      '\n'.repeat(b.line - 1) + b.code.join('\n') + '\n',
    ]),
  );
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, version, ...rest) =>
    virtual.has(name)
      ? ts.createSourceFile(name, virtual.get(name)!, version)
      : getSourceFile.call(host, name, version, ...rest);
  host.fileExists = (name) => virtual.has(name) || fileExists.call(host, name);
  host.readFile = (name) => virtual.get(name) ?? readFile.call(host, name);
  const program = ts.createProgram([...virtual.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) =>
    ts
      .formatDiagnostic(d, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => root,
        getNewLine: () => '\n',
      })
      .trim(),
  );
}

const all = blocks(readFileSync(join(root, DOC), 'utf8'));

test(`${DOC}: every block that names a file is an excerpt of it`, () => {
  const excerpts = all.filter((b) => b.file);
  assert.ok(excerpts.length > 0, `${DOC} names no file in a block`);
  const problems = excerpts.flatMap((b) => {
    const problem = departure(b, readFileSync(join(root, b.file!), 'utf8'));
    return problem ? [`${DOC}: ${problem}`] : [];
  });
  assert.deepEqual(
    problems,
    [],
    `${problems.length} excerpt(s) no longer match their files; copy the code again:\n  ${problems.join('\n  ')}`,
  );
});

test(`${DOC}: every other TypeScript block type-checks against the built package`, () => {
  const examples = all.filter((b) => b.lang === 'ts' && !b.file);
  const problems = typeCheck(DOC, examples);
  assert.deepEqual(problems, [], `${problems.length} error(s) in ${DOC}'s examples:\n  ${problems.join('\n  ')}`);
});

test('an excerpt that departs from its file is named by its line; one that matches passes', () => {
  const file = ['export function f(): number {', '  const a = 1;', '  const b = 2;', '  return a + b;', '}'].join('\n');
  const excerpt = (code: string[]): Block => ({ lang: 'ts', file: 'f.ts', line: 10, code });
  assert.equal(departure(excerpt(['export function f(): number {', '  // ...', '  return a + b;', '}']), file), null);
  assert.equal(departure(excerpt(['const a = 1;', 'const b = 2;']), file), null, 'shifted left');
  assert.equal(
    departure(excerpt(['export function f(): number {', '  const b = 2;']), file),
    'line 11 ("const b = 2;") departs from f.ts, which has "const a = 1;" there (its line 2)',
  );
  assert.equal(
    departure(excerpt(['  return a + b;', '  // ...', '  const a = 1;']), file),
    'line 12 ("const a = 1;") is not in f.ts after its line 4',
  );
});

test('a user example that does not compile against the package is reported at its line in the document', () => {
  const wrong: Block = {
    lang: 'ts',
    file: null,
    line: 7,
    code: ["import { tensor } from 'nabla';", 'const n: string = tensor([1, 2]).size;'],
  };
  const [problem, ...rest] = typeCheck(DOC, [wrong]);
  assert.deepEqual(rest, []);
  assert.match(
    problem,
    /^docs\/ARCHITECTURE\.md\.example-1\.ts\(8,7\): error TS2322: Type 'number' is not assignable to type 'string'/,
  );
});
