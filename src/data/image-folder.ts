// ImageFolder: torchvision's layout of an image classification set, one subfolder per class
// (class names sorted, so the class indices are the same on every machine), PNG and JPEG files
// in each (sorted too). Images are decoded when first asked for and kept in a bounded cache
// (least recently used out), so a folder larger than memory trains: each epoch decodes again
// what the cache could not hold.

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '../tensor.js';
import type { Dataset, Sample } from './dataset.js';
import { DataFileError } from './errors.js';
import { decodeImageFile, imageToPixels, isGrey, isImageFile } from './image.js';

/** Options of ImageFolder. */
export interface ImageFolderOptions {
  /** The height and width every image is resized to ([h, w], or one number for a square); default: the first image's. */
  size?: number | [number, number];
  /** 1 (grey) or 3 (RGB); default 1 if the first image is grey, else 3. */
  channels?: 1 | 3;
  /** The class names, in the order of the model's outputs (default: the subfolders, sorted); a subfolder not among them is an error. */
  classes?: string[];
  /** How many decoded images are kept (default 4096; each takes channels × height × width × 4 bytes). */
  cacheSize?: number;
}

/** The subfolders of dir, sorted; a DataFileError naming dir when it has none. */
function classFolders(dir: string): string[] {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() || (e.isSymbolicLink() && statSync(join(dir, e.name)).isDirectory()))
    .map((e) => e.name)
    .sort();
  if (names.length === 0) throw new DataFileError(dir, null, 'no class subfolders (expected DIR/CLASS/IMAGE.png)');
  return names;
}

/**
 * Labelled images from a folder of class subfolders, as torchvision.datasets.ImageFolder: sample i
 * is [pixels [channels · height · width] in [0, 1] (C, H, W order, flat as nabla's image rows), class index].
 *
 * @example
 * ```ts
 * const digits = new data.ImageFolder('digits', { size: 28, channels: 1 });
 * digits.classes;   // ['0', '1', ...]: the subfolders, sorted
 * const [x, y] = digits.get(0);   // x [784], y []
 * ```
 */
export class ImageFolder implements Dataset {
  /** The class names, index by index. */
  readonly classes: string[];
  /** Every image file and its class index, in order (class by class, files sorted). */
  readonly samples: [file: string, label: number][];
  /** [channels, height, width] of every sample. */
  readonly imageShape: [number, number, number];
  readonly #cache = new Map<number, Float32Array>();
  readonly #cacheSize: number;

  /**
   * Lists the folder's classes and files (nothing is decoded but the first image, and only to
   * learn the default size and channels); throws a DataFileError naming a folder with no classes or images.
   * @param root - The folder of class subfolders.
   * @param options - Size, channels, class names and cache size.
   */
  constructor(
    /** The folder of class subfolders. */
    readonly root: string,
    options: ImageFolderOptions = {},
  ) {
    const found = classFolders(root);
    this.classes = options.classes ?? found;
    const unknown = found.filter((c) => !this.classes.includes(c));
    if (unknown.length > 0)
      throw new DataFileError(
        join(root, unknown[0]),
        null,
        `class '${unknown[0]}' is not one of the model's classes (${this.classes.join(', ')})`,
      );
    this.samples = found.flatMap((c) =>
      readdirSync(join(root, c))
        .filter(isImageFile)
        .sort()
        .map((f): [string, number] => [join(root, c, f), this.classes.indexOf(c)]),
    );
    if (this.samples.length === 0) throw new DataFileError(root, null, 'no PNG or JPEG files in its class subfolders');
    const size = options.size;
    let channels = options.channels;
    let [height, width] = typeof size === 'number' ? [size, size] : (size ?? [0, 0]);
    if (channels === undefined || size === undefined) {
      const first = decodeImageFile(this.samples[0][0]);
      channels ??= isGrey(first) ? 1 : 3;
      if (size === undefined) [height, width] = [first.height, first.width];
    }
    if (channels !== 1 && channels !== 3)
      throw new Error(`ImageFolder: channels must be 1 or 3, got ${String(channels)}`);
    if (![height, width].every((d) => Number.isInteger(d) && d >= 1 && d <= 4096))
      throw new Error(`ImageFolder: size must be whole pixels in 1..4096, got ${String(size)}`);
    this.imageShape = [channels, height, width];
    this.#cacheSize = options.cacheSize ?? 4096;
  }

  /** The number of images. */
  get length(): number {
    return this.samples.length;
  }

  /** Image index and its class: [pixels [C·H·W], label []]. */
  get(index: number): Sample {
    const [x, y] = this.getBatch([index]);
    return [new Tensor(x.data, [x.shape[1]]), new Tensor(y.data, [])];
  }

  /** The images at these indices: [pixels [n, C·H·W], labels [n]]. */
  getBatch(indices: ArrayLike<number>): Sample {
    const [c, h, w] = this.imageShape;
    const row = c * h * w;
    const x = new Float32Array(indices.length * row);
    const y = new Float32Array(indices.length);
    for (let i = 0; i < indices.length; i++) {
      const k = indices[i];
      if (!Number.isInteger(k) || k < 0 || k >= this.length)
        throw new Error(`ImageFolder: index ${k} is out of range for ${this.length} images`);
      x.set(this.#pixels(k), i * row);
      y[i] = this.samples[k][1];
    }
    return [new Tensor(x, [indices.length, row]), new Tensor(y, [indices.length])];
  }

  /** Image k's pixels, from the cache or decoded (and cached, the least recently used dropped). */
  #pixels(k: number): Float32Array {
    const hit = this.#cache.get(k);
    if (hit) {
      this.#cache.delete(k); // re-inserted: a Map keeps insertion order, so its first key is the least recent
      this.#cache.set(k, hit);
      return hit;
    }
    const [c, h, w] = this.imageShape;
    const pixels = new Float32Array(c * h * w);
    imageToPixels(decodeImageFile(this.samples[k][0]), c as 1 | 3, h, w, pixels);
    if (this.#cacheSize > 0) {
      if (this.#cache.size >= this.#cacheSize) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(k, pixels);
    }
    return pixels;
  }
}
