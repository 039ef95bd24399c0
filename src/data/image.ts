// One image file as a tensor: PNG by pngjs and JPEG by jpeg-js (pure JS, no install script, no
// native build: they run wherever Node does), converted to 1 channel (grey, as PIL's "L":
// 0.299 R + 0.587 G + 0.114 B) or 3 (RGB; alpha is dropped), resized bilinearly with half-pixel
// centres (torch's F.interpolate(mode='bilinear', align_corners=False), no antialiasing) and
// scaled to [0, 1] as torchvision's ToTensor: [channels, height, width] values.

import { extname } from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import { readBounded } from '../io/read-bounded.js';
import { DataFileError } from './errors.js';

/** The file name endings read as images (case-insensitive). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

/** The largest image file read (bytes), and the most pixels decoded: a bomb is refused, not decoded. */
const MAX_IMAGE_BYTES = 64 * 2 ** 20;
const MAX_MEGAPIXELS = 64;

/** Whether the file name ends as an image's. */
export const isImageFile = (name: string) => IMAGE_EXTENSIONS.includes(extname(name).toLowerCase());

/** A decoded image: RGBA bytes, row by row. */
interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The RGBA pixels of a PNG or JPEG file; a file that does not decode is a DataFileError naming it. */
export function decodeImageFile(path: string): Rgba {
  const bytes = readBounded(path, MAX_IMAGE_BYTES, 'image file', (p) => new DataFileError(path, null, p));
  const png = bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47;
  const jpg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!png && !jpg) throw new DataFileError(path, null, 'not a PNG or JPEG image (its first bytes are neither)');
  try {
    if (png) {
      const image = PNG.sync.read(bytes);
      if (image.width * image.height > MAX_MEGAPIXELS * 1e6) throw new Error(`more than ${MAX_MEGAPIXELS} megapixels`);
      return { width: image.width, height: image.height, data: image.data };
    }
    return jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS });
  } catch (e) {
    throw new DataFileError(path, null, `cannot decode the ${png ? 'PNG' : 'JPEG'} image: ${(e as Error).message}`);
  }
}

/** Whether every pixel is grey (R = G = B): such an image has one channel of information. */
export function isGrey(image: Rgba): boolean {
  const d = image.data;
  for (let i = 0; i < d.length; i += 4) if (d[i] !== d[i + 1] || d[i] !== d[i + 2]) return false;
  return true;
}

/**
 * An image's pixels as [channels, height, width] values in [0, 1], resized to height × width.
 * Written into `out` at `offset` (a batch's row), so no intermediate image is kept.
 */
export function imageToPixels(
  image: Rgba,
  channels: 1 | 3,
  height: number,
  width: number,
  out: Float32Array,
  offset = 0,
): void {
  const { width: w, height: h, data } = image;
  const planes = new Float32Array(channels * w * h);
  for (let p = 0; p < w * h; p++) {
    const [r, g, b] = [data[4 * p], data[4 * p + 1], data[4 * p + 2]];
    if (channels === 1) planes[p] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    else [planes[p], planes[w * h + p], planes[2 * w * h + p]] = [r / 255, g / 255, b / 255];
  }
  // Bilinear, half-pixel centres, edges clamped: F.interpolate(mode='bilinear', align_corners=False).
  const sy = h / height;
  const sx = w / width;
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(Math.floor(fy), h - 1);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(Math.floor(fx), w - 1);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      for (let c = 0; c < channels; c++) {
        const base = c * w * h;
        const top = planes[base + y0 * w + x0] * (1 - wx) + planes[base + y0 * w + x1] * wx;
        const bottom = planes[base + y1 * w + x0] * (1 - wx) + planes[base + y1 * w + x1] * wx;
        out[offset + (c * height + y) * width + x] = top * (1 - wy) + bottom * wy;
      }
    }
  }
}
