// The dispatcher of a device backend (docs/webgpu.md): ops call its kernels over cells
// synchronously; each call becomes a step of one in-order stream. A kernel the device runs uploads
// its host-only inputs (once per write version: until the next host write) and leaves its outputs
// on the device. A kernel it lacks, or float64 (WGSL has none), runs on js as a host step:
// download the device-only inputs, run the js kernel, outputs valid on the host; it is counted in
// `fallbacks`. Downloads are asynchronous, so the steps called behind one wait in a queue and
// replay in order when it resolves; read() waits for the queue.

import type { Cell, CellKernels, CellOwner, Data, DeviceBackend, DeviceHandle, KernelName } from './contract.js';
import { KERNEL_IO } from './contract.js';
import { jsBackend } from './js/index.js';
import { zeroData } from './zeros.js';

const RELEASED = 'was used after its device memory was freed at the end of the training step that made it';

/** A step of the stream: runs now, or returns the download it waits for. */
type Step = () => Promise<void> | void;

/** Why kernels ran on the host, and how often: what backendInfo().fallbacks reports. */
export type Fallbacks = Record<string, { count: number; reason: string }>;

const KERNEL_NAMES = Object.keys(KERNEL_IO) as KernelName[];

/** A kernel argument as it is now: arrays and option objects copied (cells are passed as they are). */
function snapshot(arg: unknown): unknown {
  if (Array.isArray(arg) || arg instanceof Int32Array || arg instanceof Uint8Array) return arg.slice();
  if (arg !== null && typeof arg === 'object' && Object.getPrototypeOf(arg) === Object.prototype) return { ...arg };
  return arg;
}

export class DeviceDispatch implements CellOwner {
  readonly kernels: CellKernels;
  readonly fallbacks: Fallbacks = {};
  private readonly queue: Step[] = [];
  private pending: Promise<void> | null = null;
  private failure: unknown = null;
  // A cell's device memory goes back to the device when the cell is collected (its held value is
  // the handle, never the cell). Per-step release (docs/webgpu.md) keeps the pool small in training.
  private readonly collected = new FinalizationRegistry<DeviceHandle>((h) => this.device.release(h));

  constructor(readonly device: DeviceBackend) {
    const kernels: Record<string, unknown> = { name: device.name };
    for (const k of KERNEL_NAMES) {
      // An optional kernel (a library's fast path) that neither the device nor js has stays absent.
      if (device.kernels[k] || jsBackend[k]) kernels[k] = (...args: unknown[]) => this.call(k, args);
    }
    this.kernels = kernels as unknown as CellKernels;
  }

  /**
   * Runs a computation over cells' host arrays (reads, then updates, in fn's arguments) as a host
   * step of the stream: an op's loop that has no kernel, reported under `name`.
   */
  queueHostStep(
    name: string,
    reason: string,
    reads: readonly Cell[],
    updates: readonly Cell[],
    fn: (...data: Data[]) => void,
  ): void {
    this.count(name, reason);
    for (const c of updates) {
      c.version++;
      c.busy++;
    }
    this.submit(() =>
      this.onHost([...reads, ...updates], () => {
        fn(...reads.map((c) => c.host!), ...updates.map((c) => c.host!));
        this.wroteHost(updates);
      }),
    );
  }

  release(cells: readonly Cell[]): void {
    this.submit(() => {
      for (const c of cells) {
        if (c.device === null) continue;
        this.collected.unregister(c);
        this.device.release(c.device);
        c.device = null;
        c.owner = null;
        if (!c.hostValid) c.released = true;
        c.deviceValid = false;
      }
    });
  }

  async read(cells: readonly Cell[]): Promise<void> {
    while (this.pending) await this.pending;
    if (this.failure) throw this.failure;
    const away = cells.filter((c) => c.owner === this && !c.hostValid && c.deviceValid);
    if (away.length) await this.download(away);
  }

  private call(kernel: KernelName, args: unknown[]): unknown {
    const io = KERNEL_IO[kernel];
    for (const i of [...io.reads, ...io.writes, ...io.updates]) {
      if ((args[i] as Cell | null)?.released)
        throw new Error(`${kernel} on ${this.device.name}: an input or output tensor ${RELEASED}`);
    }
    const outs = [...io.writes, ...io.updates].map((i) => args[i] as Cell | null).filter((c) => c !== null);
    for (const i of io.updates) if (args[i]) (args[i] as Cell).version++;
    if (io.returns) return this.hostValue(kernel, args);
    for (const c of outs) c.busy++;
    // A call queued behind a download runs later: its shapes, offsets and index arrays are copied
    // now, since the caller may reuse them (cat advances one offset array across its calls).
    const a = this.pending ? args.map(snapshot) : args;
    this.submit(() => this.run(kernel, a, outs));
    return undefined;
  }

  // A kernel that returns a value must run now: only on host values, with nothing queued.
  private hostValue(kernel: KernelName, args: unknown[]): unknown {
    const { reads } = KERNEL_IO[kernel];
    const cells = reads.map((i) => args[i] as Cell);
    if (this.pending || cells.some((c) => !c.hostValid)) {
      throw new Error(
        `${kernel}: the ${this.device.name} backend cannot return a value computed from device values synchronously; read its inputs first (await readAll)`,
      );
    }
    this.count(kernel, 'returns a value to the host');
    const a = args.map((x, i) => (reads.includes(i) ? (x as Cell).host : x));
    return (jsBackend[kernel] as (...x: unknown[]) => unknown)(...a);
  }

  private run(kernel: KernelName, args: unknown[], outs: Cell[]): Promise<void> | void {
    const io = KERNEL_IO[kernel];
    const first = args[io.reads[0] ?? io.updates[0] ?? io.writes[0]] as Cell;
    const own = this.device.kernels[kernel] as ((...a: unknown[]) => unknown) | undefined;
    const ins = [...io.reads, ...io.updates].map((i) => args[i] as Cell | null).filter((c) => c !== null);
    const bias = io.bias !== undefined ? ((args[io.bias] as { bias?: Cell }).bias ?? null) : null;
    if (bias) ins.push(bias);
    if (first.dtype !== 'float64' && own && this.device.supports(kernel, first.dtype, args)) {
      const a = args.slice();
      try {
        for (const i of [...io.reads, ...io.updates]) if (a[i]) a[i] = this.onDevice(a[i] as Cell, true);
        for (const i of io.writes) a[i] = this.onDevice(a[i] as Cell, false);
        if (bias) a[io.bias!] = { ...(args[io.bias!] as object), bias: this.onDevice(bias, true) };
        own.apply(this.device.kernels, a);
      } finally {
        for (const c of outs) c.busy--;
      }
      for (const c of outs) {
        c.deviceValid = true;
        c.hostValid = false;
      }
      return;
    }
    this.count(
      kernel,
      first.dtype === 'float64'
        ? 'float64 (WGSL has no f64)'
        : own
          ? 'arguments it does not support'
          : 'no device kernel',
    );
    return this.onHost(ins, () => {
      const a = args.slice();
      for (const i of [...io.reads, ...io.updates, ...io.writes]) {
        const c = a[i] as Cell | null;
        if (c) a[i] = c.host ??= zeroData(c.dtype, c.length);
      }
      if (bias) a[io.bias!] = { ...(args[io.bias!] as object), bias: bias.host };
      (jsBackend[kernel] as (...x: unknown[]) => unknown)(...a);
      this.wroteHost(outs);
    });
  }

  /** Brings cells' values to the host (downloading the device-only ones), then runs fn. */
  private onHost(cells: readonly Cell[], fn: () => void): Promise<void> | void {
    const away = cells.filter((c) => !c.hostValid && c.deviceValid);
    for (const c of cells) {
      if (!c.hostValid && !c.deviceValid) {
        c.host ??= zeroData(c.dtype, c.length); // nothing wrote it: zeros
        c.hostValid = true;
      }
    }
    if (away.length === 0) return fn();
    return this.download(away).then(fn);
  }

  private wroteHost(cells: readonly Cell[]): void {
    for (const c of cells) {
      c.hostValid = true;
      c.deviceValid = false;
      c.busy--;
    }
  }

  private async download(cells: readonly Cell[]): Promise<void> {
    const into = cells.map((c) => (c.host ??= zeroData(c.dtype, c.length)));
    const versions = cells.map((c) => c.version);
    await this.device.download(
      cells.map((c) => c.device!),
      into,
    );
    // A cell written in place after the download was called (an optimizer step not awaited) has
    // newer values on the device than those that arrived.
    cells.forEach((c, i) => (c.hostValid = c.version === versions[i]));
  }

  /** The cell's device handle, allocated on first use; `read`: its values must be current there. */
  private onDevice(c: Cell, read: boolean): DeviceHandle {
    if (c.released) throw new Error(`${this.device.name}: a tensor ${RELEASED}`);
    if (c.owner !== this && c.owner !== null)
      throw new Error(`${this.device.name}: a tensor is held by another device backend`);
    if (c.device === null) {
      c.device = this.device.alloc(c.dtype, c.length);
      c.owner = this;
      this.collected.register(c, c.device, c);
    }
    if (read && !c.deviceValid) {
      if (c.hostValid) this.device.upload(c.device, c.host!);
      c.deviceValid = true; // uploaded, or zeros as allocated
    }
    return c.device;
  }

  private count(name: string, reason: string): void {
    const f = (this.fallbacks[name] ??= { count: 0, reason });
    f.count++;
    f.reason = reason;
  }

  // Runs a step now, or queues it behind the download in flight.
  private submit(step: Step): void {
    if (this.pending) this.queue.push(step);
    else this.drain(step);
  }

  private drain(step: Step | undefined): void {
    while (step) {
      const p = step();
      if (p) {
        this.pending = p
          .then(() => {
            this.pending = null;
            this.drain(this.queue.shift());
          })
          .catch((e: unknown) => {
            // Nobody awaits a replayed step: the error waits for the next read().
            this.failure = e;
            this.pending = null;
            this.queue.length = 0;
          });
        return;
      }
      step = this.queue.shift();
    }
  }
}
