/// <reference types="@webgpu/types" />
// Opening a WebGPU device: the browser's navigator.gpu, or in Node the optional `webgpu` package
// (Google's Dawn, prebuilt). docs/webgpu.md has the measured facts this follows: Dawn needs
// libvulkan.so.1 (LD_LIBRARY_PATH set before Node starts), a machine without a GPU gets the
// SwiftShader adapter through VK_ICD_FILENAMES, and the GPU object from create() must stay
// referenced while its device lives (Dawn-node crashes if it is collected).

/** GPUBufferUsage and GPUMapMode values (WebGPU spec), so that nothing needs Dawn's globals. */
export const USAGE = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128 } as const;
export const MAP_READ = 1;

/** An open device and what we know of its adapter. */
export interface OpenDevice {
  device: GPUDevice;
  /** The adapter's description ("SwiftShader …" on the software adapter). */
  adapter: string;
  /** A software adapter (no GPU): the GEMM takes its barrier-free variant there. */
  fallbackAdapter: boolean;
}

// Dawn's GPU object, held for the process's life (see above).
let dawn: GPU | null = null;

async function nodeGpu(): Promise<GPU | null> {
  if (typeof process !== 'object' || !process.versions?.node) return null;
  const name = 'webgpu'; // a variable: bundlers must not pull Dawn into a browser build
  let mod: { create(flags: string[]): GPU };
  try {
    mod = (await import(/* @vite-ignore */ name)) as typeof mod;
  } catch (e) {
    const why = (e as Error).message ?? String(e);
    if (/Cannot find (package|module) 'webgpu'/.test(why)) {
      throw new Error(
        "setBackend('webgpu'): WebGPU in Node comes from the optional package 'webgpu', which is not installed: run npm install webgpu",
        { cause: e },
      );
    }
    throw new Error(
      `setBackend('webgpu'): the 'webgpu' package did not load (${why}); Dawn needs libvulkan.so.1 on the library path (docs/webgpu.md)`,
      { cause: e },
    );
  }
  dawn ??= mod.create([]);
  return dawn;
}

/** Opens the adapter's device with its largest buffer limits; throws with the reason when there is none. */
export async function openDevice(): Promise<OpenDevice> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu ?? (await nodeGpu());
  if (!gpu) throw new Error("setBackend('webgpu'): this engine has no WebGPU (navigator.gpu is missing)");
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new Error(
      "setBackend('webgpu'): no WebGPU adapter here; without a GPU, a software adapter (SwiftShader) can be named with VK_ICD_FILENAMES in Node or --use-webgpu-adapter=swiftshader in Chromium (docs/webgpu.md)",
    );
  }
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(l.maxStorageBuffersPerShaderStage, 10),
    },
  });
  const info = adapter.info ?? ({} as GPUAdapterInfo);
  const described = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  return {
    device,
    adapter: described || 'unknown adapter',
    fallbackAdapter: Boolean((adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? info.isFallbackAdapter),
  };
}
