// The decision boundary (or regression surface) as a heatmap over [-1, 1]², with the points.

import type { Points } from '../data.js';
import { paintField, css } from './colors.js';

export class BoundaryView {
  private readonly ctx: CanvasRenderingContext2D;
  private data: { train: Points; test: Points } | null = null;
  private regression = false;
  private last: { output: Float32Array; g: number } | null = null;
  showTest = false;

  constructor(readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d')!;
  }

  setData(train: Points, test: Points, regression: boolean): void {
    this.data = { train, test };
    this.regression = regression;
  }

  /** Values in [0, 1] (probabilities) map to [-1, 1]; regression outputs are shown as they are. */
  scale = (v: number) => (this.regression ? v : 2 * v - 1);

  draw(output?: Float32Array, g?: number): void {
    if (output && g) this.last = { output, g };
    const { ctx, canvas } = this;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (this.last) paintField(ctx, this.last.output, this.last.g, this.scale);
    if (!this.data) return;
    this.points(this.data.train, 'white');
    if (this.showTest) this.points(this.data.test, 'black');
  }

  private points(p: Points, stroke: string): void {
    const { ctx, canvas } = this;
    const r = Math.max(2.5, canvas.width / 110);
    ctx.lineWidth = 1;
    ctx.strokeStyle = stroke;
    for (let i = 0; i < p.ys.length; i++) {
      const x = ((p.xs[2 * i] + 1) / 2) * canvas.width;
      const y = ((1 - p.xs[2 * i + 1]) / 2) * canvas.height;
      ctx.fillStyle = css(this.scale(p.ys[i]) * 1.2);
      ctx.beginPath();
      ctx.arc(x, y, r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
  }
}
