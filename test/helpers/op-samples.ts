// Writes test/fixtures/op-samples.json (op-export.ts), which scripts/make_torch_fixtures.py turns
// into PyTorch reference values (ops.json). Run by `npm run fixtures`.

import { writeFileSync } from 'node:fs';
import { opSamplesJson } from './op-export.js';

const path = new URL('../../../test/fixtures/op-samples.json', import.meta.url);
writeFileSync(path, opSamplesJson());
console.log(`wrote ${path.pathname}`);
