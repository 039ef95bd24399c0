// The API reference: every public export has a doc comment. TypeDoc's own validation,
// configured in typedoc.json (what `npm run docs` builds the site with), runs here with no output:
// a missing comment, a public type that leaks out unexported or a broken {@link} fails the first
// test, which names each one. The second shows on a small tree that the same configuration does
// catch an undocumented function, an undocumented property of an options interface, and a
// subclass with no comment of its own (TypeDoc would copy its base class's: the plugin stops that).
// The last two check what TypeDoc does not: that no declaration in src/ follows two doc blocks
// in a row. TypeDoc attaches only the last one, so a rich block (with its example) followed by a
// one-line block would vanish from the reference while the validation still passes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, Logger, LogLevel } from 'typedoc';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Keeps what TypeDoc reports (warnings and errors) instead of printing it. */
class Collect extends Logger {
  readonly messages: string[] = [];
  override log(message: string, level: LogLevel): void {
    super.log(message, level);
    if (level >= LogLevel.Warn) this.messages.push(message);
  }
}

/** TypeDoc's conversion and validation with the options file `config`, no output: what it reports. */
async function validate(config: string): Promise<string[]> {
  const app = await Application.bootstrapWithPlugins({ options: config, emit: 'none', logLevel: 'Warn' });
  assert.equal(app.logger.errorCount, 0, `TypeDoc could not read ${config} (see the messages above)`);
  const logger = new Collect();
  app.logger = logger;
  const project = await app.convert();
  assert.ok(project, `TypeDoc could not convert the project:\n${logger.messages.join('\n')}`);
  app.validate(project);
  return logger.messages;
}

test('every public export has a doc comment, and no public type leaks out unexported (typedoc.json)', async () => {
  const messages = await validate(join(root, 'typedoc.json'));
  assert.deepEqual(
    messages,
    [],
    `TypeDoc's validation found ${messages.length} problem(s):\n  ${messages.join('\n  ')}`,
  );
});

test('the validation fails on a missing comment, naming the export', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-docs-'));
  try {
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'docs-fixture', version: '0.0.0', type: 'module' }),
      'tsconfig.json': JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
        include: ['index.ts'],
      }),
      // The repository's configuration (requiredToBeDocumented, validation, plugin), on this tree.
      'typedoc.json': JSON.stringify({
        extends: [join(root, 'typedoc.json')],
        entryPoints: ['index.ts'],
        tsconfig: 'tsconfig.json',
        readme: 'none',
        intentionallyNotExported: [],
        intentionallyNotDocumented: [],
      }),
      'index.ts': [
        '/** The fixture. @module */',
        '/** Documented. */',
        'export function documented(): number { return 1; }',
        'export function undocumented(): number { return 2; }',
        '/** Options, one of them undocumented. */',
        'export interface Options {',
        '  /** Documented. */',
        '  a?: number;',
        '  b?: number;',
        '}',
        '/** A documented base class. */',
        'export class Base {}',
        'export class Derived extends Base {}',
        '',
      ].join('\n'),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const messages = await validate(join(dir, 'typedoc.json'));
    const missing = (name: string) =>
      messages.some((m) => m.includes(`${name} (`) && m.includes('does not have any documentation'));
    for (const name of ['undocumented', 'Options.b', 'Derived'])
      assert.ok(missing(name), `no warning names ${name}:\n  ${messages.join('\n  ')}`);
    // Nothing else: the documented function, property and base class pass.
    assert.equal(messages.length, 3, `expected exactly the three missing comments:\n  ${messages.join('\n  ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * The places in `text` where a node follows two or more doc blocks in a row (line comments
 * between them or not), as "file:line code". A block with @module or @packageDocumentation is
 * the file's comment, not the next declaration's (TypeDoc's rule), so it does not count.
 */
function doubledDocBlocks(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const isDoc = (r: ts.CommentRange) =>
    text.startsWith('/**', r.pos) &&
    r.end - r.pos > 4 &&
    !/@module|@packageDocumentation/.test(text.slice(r.pos, r.end));
  const found: string[] = [];
  const seen = new Set<number>(); // a node and its first child share their leading comments
  const visit = (node: ts.Node) => {
    const pos = node.getFullStart();
    if (!seen.has(pos)) {
      seen.add(pos);
      if ((ts.getLeadingCommentRanges(text, pos) ?? []).filter(isDoc).length > 1) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        found.push(`${file}:${line + 1} ${text.split('\n')[line].trim().slice(0, 80)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

test('no declaration in src/ follows two doc blocks in a row (TypeDoc would show only the last)', () => {
  const files = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .sort();
  assert.ok(files.length > 100, `only ${files.length} .ts files found under src/`);
  const found = files.flatMap((f) => doubledDocBlocks(join('src', f), readFileSync(join(root, 'src', f), 'utf8')));
  assert.deepEqual(
    found,
    [],
    `${found.length} declaration(s) follow two doc blocks in a row; TypeDoc shows only the last, so merge each pair into one:\n  ${found.join('\n  ')}`,
  );
});

test('the doubled-block check finds a doubled block and passes a single one, a module comment and line comments', () => {
  const text = [
    '/** The file. @module */',
    '/** One block. */',
    '// A line comment between doc blocks does not separate them for TypeDoc.',
    'export const a = 1;',
    '/** The rich block, with its example. */',
    '// A line comment between doc blocks does not separate them for TypeDoc.',
    '/** A one-line block: TypeDoc shows only this one. */',
    'export function b(): void {}',
    'export class C {',
    '  /** A member. */',
    '  /** Again. */',
    '  d = 1;',
    '}',
    '',
  ].join('\n');
  assert.deepEqual(doubledDocBlocks('x.ts', text), ['x.ts:8 export function b(): void {}', 'x.ts:12 d = 1;']);
});
