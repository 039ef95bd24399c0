// A zero-filled array of a dtype: the memory of a cell nothing has written yet, allocated by
// cells.ts for kernel outputs and by the dispatchers (host.ts, device.ts) when a kernel reads
// such a cell on the host (the backend layer cannot import cells.ts, which imports it).

import type { Data, DType } from './contract.js';

export function zeroData(dtype: DType, n: number): Data {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
}
