// A diverging colour scale for values in [-1, 1]: orange below zero, white-grey at zero, blue
// above (TensorFlow Playground's palette, so its users read ours at once).

const NEG = [245, 147, 34];
const MID = [232, 234, 235];
const POS = [8, 119, 189];

export function rgb(v: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  const end = t < 0 ? NEG : POS;
  const a = Math.abs(t);
  return [0, 1, 2].map((i) => Math.round(MID[i] + (end[i] - MID[i]) * a)) as [number, number, number];
}

export const css = (v: number) => `rgb(${rgb(v).join(',')})`;

/** Paints g×g values (row 0 at the top), mapped by `scale` into [-1, 1], stretched over the canvas. */
export function paintField(
  ctx: CanvasRenderingContext2D,
  values: ArrayLike<number>,
  g: number,
  scale: (v: number) => number,
  stride = 1,
  offset = 0,
): void {
  const img = new ImageData(g, g);
  for (let i = 0; i < g * g; i++) {
    const [r, gr, b] = rgb(scale(values[i * stride + offset]));
    img.data[4 * i] = r;
    img.data[4 * i + 1] = gr;
    img.data[4 * i + 2] = b;
    img.data[4 * i + 3] = 255;
  }
  const tmp = new OffscreenCanvas(g, g);
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(tmp, 0, 0, ctx.canvas.width, ctx.canvas.height);
}
