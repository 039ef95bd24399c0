// A text corpus from nabla's own source: every src/**/*.ts file, concatenated with a header line
// per file, written to runs/source.txt (about 0.5 MB of TypeScript). Train a character-level GPT
// on it and sample from it:
//   npm run corpus
//   node dist/src/cli/main.js train --data runs/source.txt --model gpt --out runs/gpt-source
//   node dist/src/cli/main.js generate --model runs/gpt-source --prompt "export function " --seed 1
// The PyTorch twin of the same run: /usr/bin/python3 bench/gpt_twin.py text runs/source.txt

import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

const parts = files(join(root, 'src')).map((f) => `// ---- ${relative(root, f)}\n${readFileSync(f, 'utf8')}`);
mkdirSync(join(root, 'runs'), { recursive: true });
const out = join(root, 'runs', 'source.txt');
writeFileSync(out, parts.join('\n'));
console.log(`wrote ${out}: ${parts.length} files, ${parts.join('\n').length} characters`);
