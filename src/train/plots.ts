// SVG pictures written by `nabla train`: the training curves (loss, and accuracy for
// classifiers, train vs validation per epoch) and the confusion matrix as a heat map.

import { printable } from '../show.js';
import type { EpochLogs } from './types.js';

// Class names are data: control characters (not allowed in XML) shown as \xNN, markup escaped.
const esc = (s: string) => printable(s, true).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Axis ticks on round numbers (a step of 1, 2 or 5 times a power of ten, 3 to 6 ticks) and the
 * axis stretched to the ticks around [lo, hi], with the decimals the step needs.
 */
export function roundTicks(lo: number, hi: number): { lo: number; hi: number; ticks: number[]; decimals: number } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, hi + 0.5];
  const rough = (hi - lo) / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough)!;
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const ticks = Array.from({ length: last - first + 1 }, (_, i) => Number(((first + i) * step).toFixed(decimals)));
  return { lo: first * step, hi: last * step, ticks, decimals };
}

interface Series {
  name: string;
  color: string;
  values: number[];
}

function panel(
  x0: number,
  title: string,
  series: Series[],
  epochs: number[],
  legendLow: boolean,
  marked: number | null,
): string {
  const w = 420,
    h = 300,
    left = 56,
    right = 16,
    top = 36,
    bottom = 44;
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const {
    lo,
    hi,
    ticks: yTicks,
    decimals,
  } = roundTicks(
    all.reduce((a, b) => Math.min(a, b), Infinity),
    all.reduce((a, b) => Math.max(a, b), -Infinity),
  );
  const pw = w - left - right,
    ph = h - top - bottom;
  const first = epochs[0],
    last = epochs[epochs.length - 1];
  const px = (e: number) => x0 + left + (last === first ? pw / 2 : ((e - first) / (last - first)) * pw);
  const py = (v: number) => top + (1 - (v - lo) / (hi - lo)) * ph;
  const out: string[] = [
    `<text x="${x0 + w / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  out.push(`<rect x="${x0 + left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  for (const v of yTicks) {
    out.push(`<line x1="${x0 + left}" x2="${x0 + left + pw}" y1="${py(v)}" y2="${py(v)}" stroke="#eee"/>`);
    out.push(
      `<text x="${x0 + left - 6}" y="${py(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(decimals)}</text>`,
    );
  }
  if (marked !== null && marked >= first && marked <= last) {
    // The epoch whose weights early stopping restored: the model saved is that epoch's.
    out.push(
      `<line x1="${px(marked)}" x2="${px(marked)}" y1="${top}" y2="${top + ph}" stroke="#2ca02c" stroke-dasharray="4 3"/>`,
    );
    out.push(
      `<text x="${px(marked) + 4}" y="${top + 12}" font-size="11" fill="#2ca02c">restored (epoch ${marked})</text>`,
    );
  }
  const ticks = epochs.length <= 10 ? epochs : epochs.filter((_, i) => i % Math.ceil(epochs.length / 10) === 0);
  for (const e of ticks)
    out.push(`<text x="${px(e)}" y="${top + ph + 16}" text-anchor="middle" font-size="11">${e}</text>`);
  out.push(`<text x="${x0 + left + pw / 2}" y="${h - 8}" text-anchor="middle" font-size="12">epoch</text>`);
  series.forEach((s, i) => {
    const pts = s.values.map((v, j) => `${px(epochs[j]).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    s.values.forEach((v, j) =>
      out.push(`<circle cx="${px(epochs[j]).toFixed(1)}" cy="${py(v).toFixed(1)}" r="2.5" fill="${s.color}"/>`),
    );
    // The legend sits in the corner the curves leave free: low for rising ones (accuracy).
    const ly = legendLow ? top + ph - 12 - (series.length - 1 - i) * 16 : top + 8 + i * 16;
    const lx = x0 + left + pw - 90;
    out.push(`<rect x="${lx}" y="${ly}" width="12" height="3" fill="${s.color}"/>`);
    out.push(`<text x="${lx + 18}" y="${ly + 5}" font-size="11">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

/** Loss (and accuracy when logged), train vs validation, one panel each; `restoredEpoch` (early stopping's) is marked. */
export function trainingCurvesSvg(history: EpochLogs[], restoredEpoch: number | null = null): string {
  if (history.length === 0) throw new Error('trainingCurvesSvg: no epochs to plot');
  const epochs = history.map((l) => l.epoch);
  const col = (key: string) => (history.every((l) => l[key] !== undefined) ? history.map((l) => l[key]) : null);
  const panels: [string, Series[], boolean][] = [];
  const pair = (title: string, train: string, val: string, scale = 1, rising = false) => {
    const s: Series[] = [];
    const t = col(train),
      v = col(val);
    if (t) s.push({ name: 'train', color: '#1f77b4', values: t.map((x) => x * scale) });
    if (v) s.push({ name: 'validation', color: '#ff7f0e', values: v.map((x) => x * scale) });
    if (s.length) panels.push([title, s, rising]);
  };
  pair('loss', 'loss', 'valLoss');
  pair('accuracy (%)', 'accuracy', 'valAccuracy', 100, true);
  if (!col('accuracy')) pair('mean absolute error', 'mae', 'valMae');
  const width = 420 * panels.length;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="300" viewBox="0 0 ${width} 300" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...panels.map(([title, s, rising], i) => panel(i * 420, title, s, epochs, rising, restoredEpoch)),
    '</svg>',
    '',
  ].join('\n');
}

/** The confusion matrix as a heat map: true classes down, predictions across, counts in cells. */
export function confusionMatrixSvg(m: number[][], classes: string[], title = 'confusion matrix'): string {
  const k = m.length;
  const cell = Math.max(28, Math.min(48, Math.floor(480 / k)));
  const left = 40 + 7 * classes.reduce((w, c) => Math.max(w, c.length), 0),
    top = 60;
  const w = left + k * cell + 20,
    h = top + k * cell + 50;
  const rowMax = m.map((r) =>
    Math.max(
      1,
      r.reduce((a, b) => a + b, 0),
    ),
  );
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${w / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="${left + (k * cell) / 2}" y="44" text-anchor="middle" font-size="12">predicted</text>`,
    `<text x="14" y="${top + (k * cell) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${top + (k * cell) / 2})">true</text>`,
  ];
  for (let i = 0; i < k; i++) {
    out.push(
      `<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end" font-size="11">${esc(classes[i])}</text>`,
    );
    out.push(
      `<text x="${left + i * cell + cell / 2}" y="${top + k * cell + 16}" text-anchor="middle" font-size="11">${esc(classes[i])}</text>`,
    );
    for (let j = 0; j < k; j++) {
      // Shade by the share of the true class's row, so rare classes are as visible as common ones.
      const share = m[i][j] / rowMax[i];
      const light = Math.round(255 - share * 200);
      const fill = i === j ? `rgb(${light},${Math.round(255 - share * 120)},${light})` : `rgb(255,${light},${light})`;
      out.push(
        `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#ccc"/>`,
      );
      if (m[i][j] > 0)
        out.push(
          `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" font-size="11">${m[i][j]}</text>`,
        );
    }
  }
  out.push('</svg>', '');
  return out.join('\n');
}
