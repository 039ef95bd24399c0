// A device backend for tests only (docs/webgpu.md, slice 1): opaque handles over private arrays,
// downloads that resolve on a later tick (as a GPU's mapAsync), kernels that delegate to js. It
// lets the dispatcher's residency, fallbacks and stream order be tested without a GPU.

import type { Data, DeviceBackend, DeviceHandle, DType, KernelName } from '../../src/backend/contract.js';
import { KERNEL_IO } from '../../src/backend/contract.js';
import { jsBackend } from '../../src/backend/js/index.js';

/** What a test can count on the mock. */
export interface MockDevice extends DeviceBackend {
  uploads: number;
  downloads: number;
  /** Handles allocated and not released. */
  live(): number;
}

/** A mock device named `name`, without the kernels in `lacks` (they run as host steps). */
export function mockDevice(name: string, lacks: readonly KernelName[] = []): MockDevice {
  // The handles are empty objects: only this closure maps them to memory.
  const memory = new Map<DeviceHandle, Data>();
  const mem = (h: unknown): Data => {
    const d = memory.get(h as DeviceHandle);
    if (!d) throw new Error(`${name}: not a live handle of this device`);
    return d;
  };
  const kernels: Record<string, unknown> = {};
  for (const k of Object.keys(KERNEL_IO) as KernelName[]) {
    if (lacks.includes(k) || k === 'normAccumulate') continue;
    const io = KERNEL_IO[k];
    kernels[k] = (...args: unknown[]) => {
      const a = args.slice();
      for (const i of [...io.reads, ...io.writes, ...io.updates]) if (a[i] !== null) a[i] = mem(a[i]);
      const opts = io.bias === undefined ? undefined : (a[io.bias] as { bias?: unknown });
      if (opts?.bias !== undefined) a[io.bias!] = { ...opts, bias: mem(opts.bias) };
      (jsBackend[k] as (...x: unknown[]) => unknown)(...a);
    };
  }
  const device: MockDevice = {
    name,
    kind: 'device',
    uploads: 0,
    downloads: 0,
    live: () => memory.size,
    alloc(dtype: DType, length: number) {
      const h = {};
      memory.set(h, dtype === 'float64' ? new Float64Array(length) : new Float32Array(length));
      return h;
    },
    upload(h, data) {
      mem(h).set(data);
      device.uploads++;
    },
    download(handles, into) {
      // The values as of the call (every kernel called before it has run), delivered later.
      const copies = handles.map((h) => mem(h).slice());
      device.downloads++;
      return new Promise((resolve) =>
        setImmediate(() => {
          copies.forEach((c, i) => into[i].set(c));
          resolve();
        }),
      );
    },
    release(h) {
      memory.delete(h);
    },
    kernels,
    supports: (_kernel, dtype) => dtype === 'float32',
  };
  return device;
}
