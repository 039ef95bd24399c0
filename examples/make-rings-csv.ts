// Writes examples/data/rings.csv: 600 points (x, y) uniform in [−1, 1]², labelled by a known
// rule — 'inside' when x² + y² < 0.4, otherwise 'left' or 'right' by the sign of x — plus a
// column of pure noise the model must learn to ignore. Run: node dist/examples/make-rings-csv.js

import { writeFileSync } from 'node:fs';
import { manualSeed } from '../src/index.js';
import { random } from '../src/random.js';

manualSeed(7);
const rows = ['x,y,noise,region'];
for (let i = 0; i < 600; i++) {
  const x = 2 * random() - 1;
  const y = 2 * random() - 1;
  const noise = 2 * random() - 1;
  const region = x * x + y * y < 0.4 ? 'inside' : x < 0 ? 'left' : 'right';
  rows.push(`${x.toFixed(4)},${y.toFixed(4)},${noise.toFixed(4)},${region}`);
}
writeFileSync(new URL('../../examples/data/rings.csv', import.meta.url), `${rows.join('\n')}\n`);
console.log('wrote examples/data/rings.csv (600 rows)');
