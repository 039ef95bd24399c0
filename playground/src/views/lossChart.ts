// Train and test loss against steps, on a canvas.

export class LossChart {
  private readonly ctx: CanvasRenderingContext2D;
  private points: { step: number; train: number; test: number }[] = [];

  constructor(readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d')!;
  }

  clear(): void {
    this.points = [];
    this.draw();
  }

  push(step: number, train: number, test: number): void {
    const lastStep = this.points.at(-1)?.step;
    if (lastStep === step) this.points[this.points.length - 1] = { step, train, test };
    else this.points.push({ step, train, test });
    // Keep the chart cheap: halve the resolution of the history when it grows long.
    if (this.points.length > 1200)
      this.points = this.points.filter((_, i) => i % 2 === 0 || i === this.points.length - 1);
    this.draw();
  }

  private draw(): void {
    const { ctx, canvas } = this;
    const w = canvas.width;
    const h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    if (this.points.length < 2) return;
    const maxStep = this.points.at(-1)!.step || 1;
    const finite = this.points.flatMap((p) => [p.train, p.test]).filter(Number.isFinite);
    const top = Math.max(1e-6, ...finite);
    const line = (key: 'train' | 'test', colour: string) => {
      ctx.strokeStyle = colour;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      this.points.forEach((p, i) => {
        const x = (p.step / maxStep) * (w - 2) + 1;
        const y = h - 2 - (Math.min(p[key], top) / top) * (h - 4);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
    };
    line('train', '#777');
    line('test', '#0877bd');
  }
}
