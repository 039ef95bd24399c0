// The API reference (issue 15): every public export has a doc comment. TypeDoc's own validation,
// configured in typedoc.json (what `npm run docs` builds the site with), runs here with no output:
// a missing comment, a public type that leaks out unexported or a broken {@link} fails the first
// test, which names each one. The second shows on a small tree that the same configuration does
// catch an undocumented function, an undocumented property of an options interface, and a
// subclass with no comment of its own (TypeDoc would copy its base class's: the plugin stops that).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Application, Logger, LogLevel } from 'typedoc';

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
  assert.deepEqual(messages, [], `TypeDoc's validation found ${messages.length} problem(s):\n  ${messages.join('\n  ')}`);
});

test("the validation fails on a missing comment, naming the export", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nabla-docs-'));
  try {
    const files: Record<string, string> = {
      'package.json': JSON.stringify({ name: 'docs-fixture', version: '0.0.0', type: 'module' }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['index.ts'] }),
      // The repository's configuration (requiredToBeDocumented, validation, plugin), on this tree.
      'typedoc.json': JSON.stringify({
        extends: [join(root, 'typedoc.json')], entryPoints: ['index.ts'], tsconfig: 'tsconfig.json', readme: 'none',
        intentionallyNotExported: [], intentionallyNotDocumented: [],
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
    const missing = (name: string) => messages.some((m) => m.includes(`${name} (`) && m.includes('does not have any documentation'));
    for (const name of ['undocumented', 'Options.b', 'Derived']) assert.ok(missing(name), `no warning names ${name}:\n  ${messages.join('\n  ')}`);
    // Nothing else: the documented function, property and base class pass.
    assert.equal(messages.length, 3, `expected exactly the three missing comments:\n  ${messages.join('\n  ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
