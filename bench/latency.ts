// Focused latency bench for the wasm backend's small products: forward passes of the
// 784-128-10 MLP (inference, no graph) at several batch sizes, one thread, median µs.
// `npm run build && node dist/bench/latency.js`

import { noGrad, ready, setBackend, setNumThreads, tensor } from '../src/index.js';
import { initialWeights, mlpSmall } from './models.js';
import { mlp } from './nabla.js';
import { median, randomArray, timeRuns } from './util.js';

setBackend('wasm');
setNumThreads(1);
await ready();
const model = mlp(initialWeights(mlpSmall.sizes), 'relu');
for (const batch of [1, 8, 64, 256]) {
  const x = tensor(randomArray(batch * 784, batch), { shape: [batch, 784] });
  const us = 1000 * median(timeRuns(() => void noGrad(() => model.forward(x)), 600, 50, 5000));
  console.log(`784-128-10 forward, batch ${String(batch).padStart(3)}: ${us.toFixed(1)} µs`);
}
