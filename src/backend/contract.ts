// The kernel contract: the few primitives a backend implements over raw typed arrays, by name.
// Ops (src/ops) and optimizers (src/optim) call these; kernels never see tensors, graphs or
// gradients. The kernels themselves are declared in table.ts (generated/kernels.ts has their
// signatures); a new backend implements the kernels it can, and backend/index.ts fills in the
// rest from js and reports which ones are its own.

import type { Kernels } from './generated/kernels.js';
import type { Cell, ConvArgs, Data, DeviceHandle, DType, MatmulArgs } from './types.js';

export * from './types.js';
export { KERNEL_ARGS, KERNEL_IO, type KernelIO, type Kernels } from './generated/kernels.js';
export {
  BINARY_CODE,
  BINARY_OPS,
  REDUCE_CODE,
  REDUCE_OPS,
  UNARY_CODE,
  UNARY_OPS,
  type BinaryOp,
  type ReduceOp,
  type UnaryOp,
} from './table.js';

/** The name of a kernel: 'matmul', 'unary', 'adam', ... */
export type KernelName = keyof Kernels;

/** What a backend registers: its name and the kernels it implements itself; js runs the others. */
export type Backend = {
  /** The name that setBackend selects it by (and getBackend reports). */
  readonly name: string;
} & Partial<Kernels>;

type Swap<T, X> = T extends Data
  ? X
  : T extends MatmulArgs
    ? Omit<MatmulArgs, 'bias'> & { bias?: X }
    : T extends ConvArgs
      ? Omit<ConvArgs, 'bias'> & { bias?: X }
      : T;
type SwapArgs<A extends unknown[], X> = { [I in keyof A]: Swap<A[I], X> };

/** The kernels with every array argument (and a bias) replaced by X: cells for ops, handles for devices. */
export type KernelsOver<X> = {
  [K in keyof Kernels]: (
    ...args: SwapArgs<Parameters<NonNullable<Kernels[K]>>, X>
  ) => ReturnType<NonNullable<Kernels[K]>>;
};

/** What ops call: the kernels over cells (backend/index.ts dispatches them), and the backend's name. */
export type CellKernels = KernelsOver<Cell> & { readonly name: string };

/**
 * A backend whose tensors live in device memory (WebGPU): it allocates, uploads and downloads
 * memory and runs kernels over its handles. Only reads are asynchronous; the dispatcher
 * (backend/index.ts) runs what it lacks on js as host steps, in order (docs/webgpu.md).
 */
export interface DeviceBackend {
  /** The name setBackend selects it by. */
  readonly name: string;
  /** Marks a device backend (registerBackend tells the two kinds apart by it). */
  readonly kind: 'device';
  /** Memory for `length` values of dtype, zero-filled. */
  alloc(dtype: DType, length: number): DeviceHandle;
  /** Copies host values into a handle's memory (ordered after the kernels called before it). */
  upload(handle: DeviceHandle, data: Data): void;
  /** Copies many handles' values into host arrays, after every kernel called before: one round trip. */
  download(handles: readonly DeviceHandle[], into: readonly Data[]): Promise<void>;
  /** Frees a handle's memory (never used again). */
  release(handle: DeviceHandle): void;
  /** Its kernels over handles (in place where the contract's are). */
  readonly kernels: Partial<KernelsOver<DeviceHandle>>;
  /** Whether its kernel runs these arguments (handles in place of arrays) in this dtype. */
  supports(kernel: KernelName, dtype: DType, args: readonly unknown[]): boolean;
  /** The device it runs on, as its adapter describes itself. */
  readonly description?: string;
  /** Its memory and traffic so far (backendInfo().memory). */
  memory?(): DeviceMemory;
}

/** A device backend's memory and traffic since it opened. */
export interface DeviceMemory {
  /** Bytes of device memory held by tensors now. */
  liveBytes: number;
  /** The most bytes held at once. */
  highWaterBytes: number;
  /** Device buffers ever created (the rest were recycled from its pool). */
  buffersCreated: number;
  /** Kernel dispatches recorded. */
  dispatches: number;
  /** Host-to-device copies. */
  uploads: number;
  /** Device-to-host reads (each may bring many tensors). */
  downloads: number;
}
