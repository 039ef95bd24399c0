// Device memory: storage buffers in size classes (powers of two to 64 KiB, then quarter steps
// between powers of two), recycled through a free list per class. A released buffer may still be
// named by commands queued before the release; that is safe because the queue runs in order, and
// whoever takes it next clears it (stream.clear) in that same order.

import { USAGE } from './gpu.js';

/** A tensor's memory on the device: what the dispatcher holds as the cell's handle. */
export interface DeviceBuffer {
  readonly buffer: GPUBuffer;
  /** The buffer's size in bytes (its size class). */
  readonly bytes: number;
  /** Values it holds (float32). */
  readonly length: number;
  released: boolean;
}

/** The size class of a request: at least 4 bytes (a binding cannot be empty), a multiple of 4. */
export function sizeClass(bytes: number): number {
  const b = Math.max(16, bytes);
  const pow = 2 ** Math.ceil(Math.log2(b));
  if (pow <= 65536) return pow;
  const quarter = pow / 8; // steps of a quarter of the lower power of two
  return Math.ceil(b / quarter) * quarter;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  /** Bytes in buffers handed out and not released. */
  live = 0;
  /** The largest `live` has been. */
  highWater = 0;
  /** Buffers ever created. */
  created = 0;

  constructor(private readonly device: GPUDevice) {}

  /** A buffer of at least `bytes`, and whether it was recycled (its old values are still in it). */
  take(bytes: number): { buffer: GPUBuffer; bytes: number; recycled: boolean } {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    const recycled = list?.pop();
    this.live += size;
    this.highWater = Math.max(this.highWater, this.live);
    if (recycled) return { buffer: recycled, bytes: size, recycled: true };
    this.created++;
    const buffer = this.device.createBuffer({ size, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
    return { buffer, bytes: size, recycled: false };
  }

  give(buffer: GPUBuffer, bytes: number): void {
    this.live -= bytes;
    let list = this.free.get(bytes);
    if (!list) this.free.set(bytes, (list = []));
    list.push(buffer);
  }
}
