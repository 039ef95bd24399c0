// The WebGPU backend (docs/webgpu.md): float32 kernels in WGSL over device buffers, behind the
// DeviceBackend contract, so that the dispatcher (backend/device.ts) keeps tensors on the device
// between ops and runs on js what this backend lacks (float64, ranks beyond its parameter words).

import { KERNEL_ARGS, type DeviceBackend, type DType, type KernelName, type KernelsOver } from '../contract.js';
import { openDevice, USAGE } from './gpu.js';
import { elementwiseKernels, BINARY_MAX_RANK } from './kernels/elementwise.js';
import { patchKernels, PLACE_MAX_RANK } from './kernels/patches.js';
import { matmulKernel } from './kernels/matmul.js';
import { optimKernels } from './kernels/optim.js';
import { REDUCE_MAX_RANK, rowKernels } from './kernels/rows.js';
import { BufferPool, type DeviceBuffer } from './memory.js';
import { Stream } from './stream.js';
import { KERNEL_WORDS } from './wgsl.js';

const rankOf = (shape: unknown) => (shape as readonly number[]).length;

// The arguments each kernel's parameter words can hold; everything else it runs as given.
const FITS: Partial<Record<KernelName, (args: readonly unknown[]) => boolean>> = {
  binary: (a) => rankOf(a[KERNEL_ARGS.binary.outShape]) <= BINARY_MAX_RANK,
  reduce: (a) => rankOf(a[KERNEL_ARGS.reduce.shape]) <= REDUCE_MAX_RANK,
  permute: (a) => rankOf(a[KERNEL_ARGS.permute.shape]) <= (KERNEL_WORDS - 1) / 2,
  place: (a) => rankOf(a[KERNEL_ARGS.place.xShape]) <= PLACE_MAX_RANK,
};

/** Opens the adapter's device (throws with the reason when there is none) and makes the backend over it. */
export async function openWebGPU(): Promise<DeviceBackend> {
  const { device, adapter } = await openDevice();
  const stream = new Stream(device);
  const pool = new BufferPool(device);
  const placeholder = () => device.createBuffer({ size: 16, usage: USAGE.STORAGE });
  const kernels: Partial<KernelsOver<DeviceBuffer>> = {
    ...elementwiseKernels(stream),
    ...matmulKernel(stream, placeholder()),
    ...rowKernels(stream),
    ...patchKernels(stream),
    ...optimKernels(stream, [placeholder(), placeholder()]),
  };
  return {
    name: 'webgpu',
    kind: 'device',
    description: adapter,
    kernels: kernels as DeviceBackend['kernels'],
    alloc(_dtype: DType, length: number): DeviceBuffer {
      const { buffer, bytes, recycled } = pool.take(length * 4);
      if (recycled) stream.clear(buffer, bytes);
      return { buffer, bytes, length, released: false };
    },
    upload(handle, data) {
      stream.upload((handle as DeviceBuffer).buffer, data as Float32Array);
    },
    download(handles, into) {
      const bufs = handles as readonly DeviceBuffer[];
      return stream.download(
        bufs.map((h) => h.buffer),
        bufs.map((h) => h.length),
        into as readonly Float32Array[],
      );
    },
    release(handle) {
      const h = handle as DeviceBuffer;
      if (h.released) return;
      h.released = true;
      pool.give(h.buffer, h.bytes);
    },
    supports: (kernel, dtype, args) => dtype === 'float32' && (FITS[kernel]?.(args) ?? true),
    memory: () => ({
      liveBytes: pool.live,
      highWaterBytes: pool.highWater,
      buffersCreated: pool.created,
      ...stream.counts,
    }),
  };
}
