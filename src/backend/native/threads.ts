// The threads the addon's libraries use for one call (OpenBLAS's product, oneDNN's convolution):
// setNumThreads' count (default: the machine's cores), or one for small work and under
// setDeterministic(true), since both libraries' sums depend on how they split the work over
// threads (native/README.md).

import { cores } from '../cores.js';
import { settings, threadCountListeners } from '../settings.js';
import type { Addon } from './addon.js';

/** Sets the addon's thread count for the next call: `parallel` false means one thread. */
export type UseThreads = (parallel: boolean) => void;

export function makeThreads(native: Addon): UseThreads {
  const machine = cores();
  // The kernels that compute each value (row, channel) on its own split over every thread: their
  // results are the same bits at any count, so setDeterministic leaves them be (kernels.h).
  const mapThreads = () => native.setMapThreads(settings.numThreads ?? machine);
  mapThreads();
  threadCountListeners.push(mapThreads);
  let current = 0; // the count the addon was last given
  return (parallel) => {
    const n = settings.deterministic || !parallel ? 1 : (settings.numThreads ?? machine);
    if (n !== current) native.setThreads((current = n));
  };
}
