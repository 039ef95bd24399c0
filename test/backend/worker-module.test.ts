// The wasm backend's worker threads start however the process evaluates code: a worker inherits
// node's flags, and with --input-type=module its eval'd source is a module, where `require` is
// not defined (it used to fall to the browser branch and the process ran on one thread).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const index = new URL('../../src/index.js', import.meta.url).href;
const pool = new URL('../../src/backend/wasm/pool.js', import.meta.url).href;
const script = `
const m = await import(${JSON.stringify(index)});
const { workerJobs } = await import(${JSON.stringify(pool)});
if (!m.listBackends().includes('wasm')) { console.log('no wasm'); process.exit(0); }
m.setBackend('wasm');
m.setNumThreads(2);
await m.ready();
const a = m.randn([512, 512]);
a.matmul(a);
console.log('worker jobs', workerJobs());
`;

test('wasm worker threads run under node --input-type=module', (t) => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  if (r.stdout.trim() === 'no wasm') return t.skip('no wasm backend here');
  assert.doesNotMatch(r.stderr, /worker threads unavailable/);
  assert.match(r.stdout, /^worker jobs [1-9]\d*\n$/);
});
