// Where a training step's time goes: wraps every kernel of the active backend with a timer and
// times the optimizer step, then trains the MNIST MLPs for one epoch each and prints the split
// (kernels by name and operation, optimizer, and the rest: graph, autograd, allocation).
// `npm run build && node dist/bench/split.js [threads]`

import { getBackend, ready, registerBackend, setBackend, setNumThreads } from '../src/index.js';
import { backend } from '../src/backend/index.js';
import type { Backend } from '../src/backend/contract.js';
import { optim } from '../src/index.js';
import { loadMnist } from './data.js';
import { initialWeights, mlpLarge, mlpSmall } from './models.js';
import { train } from './nabla.js';

setNumThreads(Number(process.argv[2] ?? 1));
await ready();
const times = new Map<string, number>();
const add = (key: string, ms: number) => times.set(key, (times.get(key) ?? 0) + ms);

const base = backend();
const timed: Record<string, unknown> = { name: base.name };
for (const [key, fn] of Object.entries(base)) {
  if (typeof fn !== 'function') continue;
  timed[key] = (...args: unknown[]) => {
    const t0 = performance.now();
    (fn as (...a: unknown[]) => void)(...args);
    const label = key === 'unary' || key === 'binary' || key === 'reduce' ? `${key} ${args[0] as string}` : key;
    add(label, performance.now() - t0);
  };
}
registerBackend(timed as unknown as Backend);
setBackend(getBackend());

const step = optim.SGD.prototype.step;
optim.SGD.prototype.step = function (this: optim.SGD) {
  const t0 = performance.now();
  step.call(this);
  add('optimizer step (SGD, js)', performance.now() - t0);
};

const data = loadMnist();
for (const spec of [mlpSmall, mlpLarge]) {
  times.clear();
  train(spec, initialWeights(spec.sizes), data, 1); // warm-up epoch
  times.clear();
  const t0 = performance.now();
  const r = train(spec, initialWeights(spec.sizes), data, 1);
  const total = performance.now() - t0;
  const steps = Math.ceil(data.trainY.length / spec.batch);
  console.log(`\n${spec.name}, batch ${spec.batch}, ${getBackend()} backend: ${r.samplesPerSec.toFixed(0)} samples/s, ${(total / steps).toFixed(3)} ms per step`);
  let known = 0;
  for (const [k, ms] of [...times].sort((a, b) => b[1] - a[1])) {
    known += ms;
    console.log(`  ${k.padEnd(28)} ${(ms / steps).toFixed(3)} ms/step  ${((100 * ms) / total).toFixed(1)}%`);
  }
  console.log(`  ${'rest (ops, autograd, alloc)'.padEnd(28)} ${((total - known) / steps).toFixed(3)} ms/step  ${((100 * (total - known)) / total).toFixed(1)}%`);
}
process.exit(0);
