// Where a training step's time goes: wraps every kernel of the active backend with a timer and
// times the optimizer step, then trains the MNIST MLPs for one epoch each and the tiny tanh MLP
// for 2,000 steps, then the bench's CNN for 60 steps, and prints the split (kernels by name and
// operation, optimizer, and the rest: op bookkeeping, autograd, allocation).
// `npm run build && node dist/bench/split.js [threads]`

import { getBackend, ready, registerBackend, setBackend, setNumThreads } from '../src/index.js';
import { arrayKernels } from '../src/backend/index.js';
import type { Backend } from '../src/backend/contract.js';
import { optim } from '../src/index.js';
import { loadMnist, rings } from './data.js';
import { initialWeights, mlpLarge, mlpSmall, tiny } from './models.js';
import { cnnTrain, overhead, train } from './nabla.js';

setNumThreads(Number(process.argv[2] ?? 1));
await ready();
const times = new Map<string, number>();
let kernelMs = 0; // all kernel time so far, so the optimizer's own share excludes its kernels
const add = (key: string, ms: number) => times.set(key, (times.get(key) ?? 0) + ms);

const base = arrayKernels();
const timed: Record<string, unknown> = { name: base.name };
for (const [key, fn] of Object.entries(base)) {
  if (typeof fn !== 'function') continue;
  timed[key] = (...args: unknown[]) => {
    const t0 = performance.now();
    (fn as (...a: unknown[]) => void)(...args);
    const label = key === 'unary' || key === 'binary' || key === 'reduce' ? `${key} ${args[0] as string}` : key;
    const ms = performance.now() - t0;
    kernelMs += ms;
    add(label, ms);
  };
}
registerBackend(timed as unknown as Backend);
setBackend(getBackend());

const step = optim.SGD.prototype.step;
optim.SGD.prototype.step = function (this: optim.SGD) {
  const t0 = performance.now();
  const k0 = kernelMs;
  step.call(this);
  add('optimizer step, outside kernels', performance.now() - t0 - (kernelMs - k0));
};

function report(title: string, total: number, steps: number): void {
  console.log(`\n${title}, ${getBackend()} backend: ${(total / steps).toFixed(3)} ms per step`);
  let known = 0;
  for (const [k, ms] of [...times].sort((a, b) => b[1] - a[1])) {
    known += ms;
    console.log(`  ${k.padEnd(28)} ${(ms / steps).toFixed(3)} ms/step  ${((100 * ms) / total).toFixed(1)}%`);
  }
  console.log(
    `  ${'rest (ops, autograd, alloc)'.padEnd(28)} ${((total - known) / steps).toFixed(3)} ms/step  ${((100 * (total - known)) / total).toFixed(1)}%`,
  );
}

const data = loadMnist();
for (const spec of [mlpSmall, mlpLarge]) {
  await train(spec, initialWeights(spec.sizes), data, 1); // warm-up epoch
  times.clear();
  const t0 = performance.now();
  const r = await train(spec, initialWeights(spec.sizes), data, 1);
  report(
    `${spec.name}, batch ${spec.batch}: ${r.samplesPerSec.toFixed(0)} samples/s`,
    performance.now() - t0,
    Math.ceil(data.trainY.length / spec.batch),
  );
}
const tinyInit = initialWeights(tiny.sizes, 1);
await overhead(tinyInit, rings(), tiny.steps, tiny.batch, tiny.lr); // warm-up
times.clear();
const t0 = performance.now();
const r = await overhead(tinyInit, rings(), tiny.steps, tiny.batch, tiny.lr);
report(
  `2-16-16-1 tanh MLP, batch ${tiny.batch}: ${r.stepsPerSec.toFixed(0)} steps/s`,
  performance.now() - t0,
  tiny.steps,
);
const cnnSteps = 60;
await cnnTrain(data, 10); // warm-up
times.clear();
const c0 = performance.now();
const c = await cnnTrain(data, cnnSteps);
report(
  `CNN (bench/models.ts), batch 64: ${c.samplesPerSec.toFixed(0)} samples/s`,
  performance.now() - c0,
  cnnSteps + 3,
);
process.exit(0);
