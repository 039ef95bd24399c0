// The device's one in-order stream of work: kernels are recorded into an open command encoder (one
// compute pass for consecutive dispatches) and submitted every BATCH dispatches, at a download,
// or when asked. Each dispatch's parameters take a 256-byte slot of one uniform buffer, written
// just before its batch is submitted (the queue runs writes and submits in call order, so the
// next batch may rewrite it). Errors are asynchronous in WebGPU: they are kept and thrown at the
// next download, which is where the caller can see them.

import { MAP_READ, USAGE } from './gpu.js';
import type { Shader } from './wgsl.js';
import { PARAM_WORDS } from './wgsl.js';

const BATCH = 32;
const SLOT = 256; // bytes of parameters per dispatch: minUniformBufferOffsetAlignment's usual value
const WORKGROUP = 64;
const MAX_GROUPS = 65535; // maxComputeWorkgroupsPerDimension
const MAX_GROUPS_KEPT = 4096;

export class Stream {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly pipelines = new Map<Shader, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>();
  private readonly uniforms: GPUBuffer;
  private readonly words = new Uint32Array((BATCH * SLOT) / 4);
  private slots = 0;
  /** Buffers to destroy once the batch naming them is submitted (uploads' staging, index arrays). */
  private temporaries: GPUBuffer[] = [];
  private readonly staging = new Map<number, GPUBuffer[]>();
  private failure: Error | null = null;
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private lastId = 0;
  private readonly groups = new Map<string, GPUBindGroup>();
  /** Dispatches recorded, uploads and downloads made: what tests count. */
  readonly counts = { dispatches: 0, uploads: 0, downloads: 0 };

  constructor(private readonly device: GPUDevice) {
    if (device.limits.minUniformBufferOffsetAlignment > SLOT)
      throw new Error(
        `webgpu: uniform offsets must be aligned to ${device.limits.minUniformBufferOffsetAlignment} bytes`,
      );
    this.uniforms = device.createBuffer({ size: BATCH * SLOT, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    device.addEventListener('uncapturederror', (e) =>
      this.fail(`webgpu: ${(e as GPUUncapturedErrorEvent).error.message}`),
    );
    void device.lost.then((info) => this.fail(`webgpu: the device was lost (${info.message || info.reason})`));
  }

  /** Records `shader` over `threads` invocations with its storage buffers (reads, then writes) and its parameter words. */
  dispatch(shader: Shader, buffers: readonly GPUBuffer[], params: Uint32Array, threads: number): void {
    if (threads === 0) return;
    if (buffers.length !== shader.reads + shader.writes)
      throw new Error(
        `webgpu ${shader.name}: ${buffers.length} buffers for ${shader.reads} + ${shader.writes} bindings`,
      );
    const { pipeline, layout } = this.pipeline(shader);
    if (this.slots === BATCH) this.flush();
    const slot = this.slots++;
    this.words.set(params, (slot * SLOT) / 4);
    this.words.fill(0, (slot * SLOT) / 4 + params.length, ((slot + 1) * SLOT) / 4);
    const groups = Math.ceil(threads / WORKGROUP);
    const x = Math.min(groups, MAX_GROUPS);
    const pass = this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, this.bindGroup(shader, layout, buffers), [slot * SLOT]);
    pass.dispatchWorkgroups(x, Math.ceil(groups / x));
    this.counts.dispatches++;
  }

  // Bind groups by shader and buffers: a training step meets the same pooled buffers in the same
  // kernels every step, so they are made once (the parameters' slot is a dynamic offset). Those
  // naming a temporary buffer are not kept (it is destroyed after its batch).
  private bindGroup(shader: Shader, layout: GPUBindGroupLayout, buffers: readonly GPUBuffer[]): GPUBindGroup {
    let key = shader.name;
    let keep = true;
    for (const b of buffers) {
      if (this.temporaries.includes(b)) keep = false;
      let id = this.ids.get(b);
      if (id === undefined) this.ids.set(b, (id = ++this.lastId));
      key += `,${id}`;
    }
    let group = keep ? this.groups.get(key) : undefined;
    if (!group) {
      const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
      entries.push({ binding: buffers.length, resource: { buffer: this.uniforms, offset: 0, size: PARAM_WORDS * 4 } });
      group = this.device.createBindGroup({ layout, entries });
      if (keep) {
        if (this.groups.size >= MAX_GROUPS_KEPT) this.groups.clear();
        this.groups.set(key, group);
      }
    }
    return group;
  }

  /** A storage buffer holding `data` (a kernel's index or mask array), freed after this batch. */
  temporary(data: ArrayBufferView): GPUBuffer {
    const b = this.device.createBuffer({
      size: Math.max(16, Math.ceil(data.byteLength / 4) * 4),
      usage: USAGE.STORAGE | USAGE.COPY_SRC,
      mappedAtCreation: true,
    });
    new Uint8Array(b.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    b.unmap();
    this.temporaries.push(b);
    return b;
  }

  /** Copies host values into `target` in stream order (after the work recorded before). */
  upload(target: GPUBuffer, data: Float32Array): void {
    if (data.length === 0) return;
    const source = this.temporary(data);
    this.commands().copyBufferToBuffer(source, 0, target, 0, data.byteLength);
    this.counts.uploads++;
  }

  /** Zero-fills a recycled buffer in stream order. */
  clear(target: GPUBuffer, bytes: number): void {
    this.commands().clearBuffer(target, 0, bytes);
  }

  /** Submits what is recorded. */
  flush(): void {
    if (!this.encoder) return;
    this.pass?.end();
    this.pass = null;
    if (this.slots) this.device.queue.writeBuffer(this.uniforms, 0, this.words, 0, (this.slots * SLOT) / 4);
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.slots = 0;
    for (const b of this.temporaries) b.destroy();
    this.temporaries = [];
  }

  /** Copies the first `lengths[i]` floats of each buffer into `into[i]`, after all recorded work: one map for all. */
  async download(
    buffers: readonly GPUBuffer[],
    lengths: readonly number[],
    into: readonly Float32Array[],
  ): Promise<void> {
    const total = lengths.reduce((s, n) => s + n * 4, 0);
    if (total === 0) return this.check();
    const size = Math.max(256, 2 ** Math.ceil(Math.log2(total)));
    const staging =
      this.staging.get(size)?.pop() ?? this.device.createBuffer({ size, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    const enc = this.commands();
    let at = 0;
    buffers.forEach((b, i) => {
      if (lengths[i]) enc.copyBufferToBuffer(b, 0, staging, at, lengths[i] * 4);
      at += lengths[i] * 4;
    });
    this.flush();
    this.counts.downloads++;
    try {
      await staging.mapAsync(MAP_READ, 0, total);
    } catch (e) {
      this.check();
      throw e;
    }
    const values = new Float32Array(staging.getMappedRange(0, total));
    at = 0;
    into.forEach((d, i) => {
      d.set(values.subarray(at, at + lengths[i]));
      at += lengths[i];
    });
    staging.unmap();
    let list = this.staging.get(size);
    if (!list) this.staging.set(size, (list = []));
    list.push(staging);
    this.check();
  }

  /** Throws the first error the device reported (a kernel that did not run), once. */
  check(): void {
    const e = this.failure;
    if (e) {
      this.failure = null;
      throw e;
    }
  }

  private fail(message: string): void {
    this.failure ??= new Error(message);
  }

  private commands(): GPUCommandEncoder {
    this.pass?.end();
    this.pass = null;
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  private computePass(): GPUComputePassEncoder {
    return (this.pass ??= (this.encoder ??= this.device.createCommandEncoder()).beginComputePass());
  }

  private pipeline(shader: Shader): { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout } {
    let p = this.pipelines.get(shader);
    if (p) return p;
    const entries: GPUBindGroupLayoutEntry[] = [];
    for (let i = 0; i < shader.reads + shader.writes; i++) {
      entries.push({
        binding: i,
        visibility: 4 /* COMPUTE */,
        buffer: { type: i < shader.reads ? 'read-only-storage' : 'storage' },
      });
    }
    entries.push({
      binding: shader.reads + shader.writes,
      visibility: 4,
      buffer: { type: 'uniform', hasDynamicOffset: true },
    });
    this.device.pushErrorScope('validation');
    const layout = this.device.createBindGroupLayout({ entries });
    const module = this.device.createShaderModule({ code: shader.code });
    const pipeline = this.device.createComputePipeline({
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    });
    void this.device
      .popErrorScope()
      .then((e) => e && this.fail(`webgpu: the ${shader.name} kernel did not compile: ${e.message}`));
    p = { pipeline, layout };
    this.pipelines.set(shader, p);
    return p;
  }
}
