// report.html, which `nabla train` writes in the run directory: the headline scores, the training
// curves, the confusion matrix and per-class table (classifiers), the model summary and the
// settings, in one HTML file with inline CSS and inline SVG. No script, and a Content-Security-
// Policy that forbids fetching anything, so it opens the same from file:// on any machine.

import type { EpochLogs } from './types.js';
import type { ClassScores } from './metrics.js';
import { confusionMatrixSvg, trainingCurvesSvg } from './plots.js';

/** What report.html shows of one training run (runReportHtml's input). */
export interface RunReport {
  /** The page's title, e.g. "nabla train: iris". */
  title: string;
  /** The run's settings (flags after defaults), shown as a table. */
  settings: Record<string, unknown>;
  /** The text `nabla explain` prints for the model (shown preformatted). */
  modelSummary: string;
  /** The per-epoch logs fit returned, drawn as the curves. */
  history: EpochLogs[];
  /** The epoch whose weights early stopping restored, marked on the curves (null or absent: none). */
  restoredEpoch?: number | null;
  /** Headline scores on the validation data, e.g. { loss, accuracy } or { loss, r2, rmse, mae }. */
  final: Record<string, number | string>;
  /** e.g. "30 validation rows split off by --seed". */
  evaluatedOn: string;
  /** Class names by index (classifiers), else null. */
  classes: string[] | null;
  /** The confusion matrix counts[true][predicted]; null for regression, and above inlineClasses (not drawn). */
  confusion: number[][] | null;
  /** Each class's precision, recall, F1 and support; null for regression. */
  perClass: ClassScores[] | null;
}

/** How runReportHtml bounds the page for many classes. */
export interface ReportOptions {
  /**
   * Classes up to which the matrix is drawn and every class gets a table row; the CLI passes its
   * INLINE_CONFUSION_CLASSES (src/train may not import src/cli), whose value is the default.
   */
  inlineClasses?: number;
  /** Where the matrix is when too large to draw, relative to the report (the run directory's confusion.csv). */
  confusionFile?: string;
}

/** Above inlineClasses, the per-class table keeps this many rows: the classes with the lowest F1. */
const WORST_CLASSES = 50;

/** Text and attribute values alike: class names, settings and titles are data. */
const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function score(name: string, v: number | string): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (name === 'accuracy') return `${(100 * v).toFixed(2)}%`;
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toPrecision(4);
}

function setting(v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.map(String).join(', ');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** A ratio in [0, 1] to three decimals; undefined ones (a class never predicted) as a dash. */
const ratio = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '—');

function table(head: string[], rows: string[][], numeric: boolean[]): string {
  const cell = (tag: string, s: string, i: number) => `<${tag}${numeric[i] ? ' class="num"' : ''}>${esc(s)}</${tag}>`;
  return [
    '<table>',
    `<thead><tr>${head.map((h, i) => cell('th', h, i)).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map((r) => `<tr>${r.map((s, i) => cell('td', s, i)).join('')}</tr>`),
    '</tbody>',
    '</table>',
  ].join('\n');
}

function confusionFigure(r: RunReport, classes: string[], o: Required<ReportOptions>): string {
  const body =
    r.confusion && classes.length <= o.inlineClasses
      ? confusionMatrixSvg(r.confusion, classes) // the caption says on what: a long title would not fit a small matrix's width
      : `<p class="note">${classes.length.toLocaleString('en-US')} classes: too many to draw; the matrix's nonzero cells (true class, predicted class, count) are in <a href="${esc(o.confusionFile)}">${esc(o.confusionFile)}</a>.</p>`;
  return `<figure id="confusion">\n<figcaption>Confusion matrix on ${esc(r.evaluatedOn)}: rows are the true class, columns the prediction</figcaption>\n${body}\n</figure>`;
}

function perClassFigure(rows: ClassScores[], o: Required<ReportOptions>): string {
  let shown = rows,
    caption = 'Per class';
  if (rows.length > o.inlineClasses) {
    // Undefined F1 (a class never predicted nor present) sorts first: it needs looking at too.
    const key = (row: ClassScores) => (Number.isFinite(row.f1) ? row.f1 : -1);
    shown = [...rows].sort((a, b) => key(a) - key(b)).slice(0, WORST_CLASSES);
    caption = `The ${shown.length} classes with the lowest F1, of ${rows.length.toLocaleString('en-US')}`;
  }
  const body = table(
    ['class', 'precision', 'recall', 'F1', 'support'],
    shown.map((c) => [c.label, ratio(c.precision), ratio(c.recall), ratio(c.f1), c.support.toLocaleString('en-US')]),
    [false, true, true, true, true],
  );
  return `<figure id="per-class">\n<figcaption>${esc(caption)}</figcaption>\n${body}\n</figure>`;
}

const STYLE = `
body { font-family: sans-serif; margin: 2em auto; max-width: 75em; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
figure { margin: 1em 0; overflow-x: auto; } figcaption { font-weight: bold; margin-bottom: .5em; }
table { border-collapse: collapse; font-size: .92em; } th, td { padding: .25em .8em; border-bottom: 1px solid #eee; text-align: left; }
.num { text-align: right; font-variant-numeric: tabular-nums; } th { background: #f5f5f5; }
#scores dl { display: flex; flex-wrap: wrap; gap: 1em; margin: 0; }
#scores div { border: 1px solid #ddd; border-radius: 6px; padding: .6em 1em; min-width: 8em; }
#scores dt { color: #666; font-size: .85em; } #scores dd { margin: 0; font-size: 1.4em; font-weight: bold; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; font-size: .85em; line-height: 1.35; }
.note { color: #555; }
`;

/** The whole report: one self-contained HTML document. */
export function runReportHtml(r: RunReport, options: ReportOptions = {}): string {
  const o: Required<ReportOptions> = { inlineClasses: 100, confusionFile: 'confusion.csv', ...options };
  const scores = Object.entries(r.final).map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(score(k, v))}</dd></div>`);
  const curves =
    r.history.length > 0
      ? trainingCurvesSvg(r.history, r.restoredEpoch ?? null)
      : '<p class="note">No epoch completed: nothing to plot.</p>';
  const out = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(r.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${esc(r.title)}</h1>`,
    `<section id="scores">\n<h2>Scores on ${esc(r.evaluatedOn)}</h2>\n<dl>\n${scores.join('\n')}\n</dl>\n</section>`,
    `<h2>Training</h2>\n<figure id="curves">\n<figcaption>Per epoch: training and validation</figcaption>\n${curves}\n</figure>`,
  ];
  if (r.confusion || r.perClass) out.push('<h2>Classes</h2>');
  if (r.classes && (r.confusion || r.perClass)) out.push(confusionFigure(r, r.classes, o));
  if (r.perClass) out.push(perClassFigure(r.perClass, o));
  out.push(
    `<h2>Model</h2>\n<figure id="model">\n<figcaption>Layers, shapes and parameters, as nabla explain prints them</figcaption>\n<pre>${esc(r.modelSummary)}</pre>\n</figure>`,
    `<h2>Settings</h2>\n<figure id="settings">\n${table(
      ['setting', 'value'],
      Object.entries(r.settings).map(([k, v]) => [k, setting(v)]),
      [false, false],
    )}\n</figure>`,
    '</body>',
    '</html>',
    '',
  );
  return out.join('\n');
}
