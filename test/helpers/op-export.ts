// What the op table exports for the fixture script: every entry's name, torch counterpart and
// samples, as the text of test/fixtures/op-samples.json (ops.json records its sha256).

import { createHash } from 'node:crypto';
import { opTable } from '../../src/ops/index.js';

export function opSamplesJson(): string {
  const ops = Object.values(opTable).map(({ entry }) => ({
    name: entry.name,
    torch: entry.torch,
    samples: entry.samples,
  }));
  return JSON.stringify({ ops }, null, 1) + '\n';
}

export const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
