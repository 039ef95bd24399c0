// Writes test/fixtures/op-samples.json: every op-table entry's name, torch counterpart and
// samples, which scripts/make_torch_fixtures.py turns into PyTorch reference values (ops.json).
// Run by `npm run fixtures`.

import { writeFileSync } from 'node:fs';
import { opTable } from '../../src/ops/index.js';

const ops = Object.values(opTable).map(({ entry }) => ({ name: entry.name, torch: entry.torch, samples: entry.samples }));
const path = new URL('../../../test/fixtures/op-samples.json', import.meta.url);
writeFileSync(path, JSON.stringify({ ops }, null, 1) + '\n');
console.log(`wrote ${path.pathname}: ${ops.length} ops, ${ops.reduce((n, o) => n + o.samples.length, 0)} samples`);
