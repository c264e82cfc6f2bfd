// The SVG charts of every page: nice ticks, the plot area and its axes,
// drawn once here for two looks. `LineChart` is the level page's chart (a
// few series over a shared x axis, sized to its box, redrawn whole on
// every update: a few hundred points at most); `drawChart` draws the
// explainer's and the feedback widgets' fixed-size figures (lines, labelled
// scatter points, a marked peak). Text goes in as textContent only.

import { svgEl as el } from './dom.js';
import { formatNumber } from './format.js';

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count = 5) {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.5 : 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const start = Math.floor(lo / step) * step;
  const end = Math.ceil(hi / step) * step;
  const ticks = [];
  for (let v = start; v <= end + step / 2; v += step) ticks.push(Math.round(v / step) * step);
  return ticks;
}

/** A tick's label: 0.25, 40, 12.5k. */
export const tickLabel = (v) => formatNumber(v, { compact: true });

/** The classes and spacing of the two looks (style.css and widgets/widgets.css). */
const PAGE = { grid: 'chart-grid', zero: 'zero', tick: 'chart-tick', axis: 'chart-axis', label: 'chart-label', gap: 6 };
const FIGURE = { grid: 'fw-grid', zero: 'fw-zero', tick: 'fw-tick', axis: 'fw-axis', label: 'fw-label', gap: 5 };

/**
 * The plot area of a `w` x `h` chart with margins `m`, its ticks over
 * [xLo, xHi] and [yLo, yHi], and the scales from data to SVG units.
 */
export function plotArea({ w, h, m, xLo, xHi, yLo, yHi, xCount = 5, yCount = 4 }) {
  const pw = w - m.left - m.right;
  const ph = h - m.top - m.bottom;
  const xt = niceTicks(xLo, xHi, xCount);
  const yt = niceTicks(yLo, yHi, yCount);
  const [x0, x1] = [xt[0], xt[xt.length - 1]];
  const [y0, y1] = [yt[0], yt[yt.length - 1]];
  const sx = (x) => m.left + ((x - x0) / (x1 - x0 || 1)) * pw;
  const sy = (y) => m.top + ph - ((y - y0) / (y1 - y0 || 1)) * ph;
  return { w, h, m, pw, ph, xt, yt, x0, x1, sx, sy };
}

/** Grid lines with their tick labels, the two axes and their titles. */
function axes(svg, area, xLabel, yLabel, look) {
  const { h, m, pw, ph, xt, yt, sx, sy } = area;
  const grid = el('g', { class: look.grid }, svg);
  for (const v of yt) {
    el('line', { x1: m.left, x2: m.left + pw, y1: sy(v), y2: sy(v), class: v === 0 ? look.zero : '' }, grid);
    el('text', { x: m.left - look.gap, y: sy(v) + 4, class: look.tick, 'text-anchor': 'end' }, svg, tickLabel(v));
  }
  for (const v of xt) {
    el('text', { x: sx(v), y: m.top + ph + 10 + look.gap, class: look.tick, 'text-anchor': 'middle' }, svg, tickLabel(v));
  }
  el('line', { x1: m.left, x2: m.left + pw, y1: m.top + ph, y2: m.top + ph, class: look.axis }, svg);
  el('line', { x1: m.left, x2: m.left, y1: m.top, y2: m.top + ph, class: look.axis }, svg);
  el('text', { x: m.left + pw / 2, y: h - look.gap, class: look.label, 'text-anchor': 'middle' }, svg, xLabel);
  const yx = 6 + look.gap;
  el('text', {
    x: yx,
    y: m.top + ph / 2,
    class: look.label,
    'text-anchor': 'middle',
    transform: `rotate(-90 ${yx} ${m.top + ph / 2})`,
  }, svg, yLabel);
}

/** The `points` attribute of a polyline through [x, y] pairs. */
const polyline = (pts, { sx, sy }) => pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');

/** The series of a chart of runs: the return and the intent score, in their colours. */
export const SCORE_SERIES = [
  { key: 'return', label: 'return', className: 'series-return' },
  { key: 'performance', label: 'intent score', className: 'series-performance' },
];

export class LineChart {
  /**
   * series: [{key, label, className}] — key is read from each point.
   */
  constructor(svg, { xLabel = 'x', yLabel = 'y', series, width = 560, height = 240, title = 'Chart' }) {
    this.svg = svg;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
    this.series = series;
    this.w = width;
    this.h = height;
    this.points = [];
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', title);
    svg.classList.add('chart');
    // Draw in the SVG's own pixel width, so that labels stay readable on a
    // phone instead of shrinking with a fixed viewBox.
    this.fixedWidth = width;
    if (typeof ResizeObserver === 'function') {
      let last = 0;
      new ResizeObserver(() => {
        const cw = Math.round(svg.clientWidth);
        if (cw && Math.abs(cw - last) > 4) {
          last = cw;
          // Redraw in the next frame: resizing inside the observer's own
          // callback would trip its loop guard.
          requestAnimationFrame(() => this.render());
        }
      }).observe(svg);
    }
    this.render();
  }

  fit() {
    const cw = Math.round(this.svg.clientWidth) || this.fixedWidth;
    this.w = Math.max(280, Math.min(720, cw));
    this.h = Math.round(Math.max(200, Math.min(260, this.w * 0.45)));
    this.svg.setAttribute('viewBox', `0 0 ${this.w} ${this.h}`);
    this.svg.style.aspectRatio = `${this.w} / ${this.h}`;
  }

  setXLabel(label) {
    this.xLabel = label;
    this.render();
  }

  setYLabel(label) {
    this.yLabel = label;
    this.render();
  }

  /** A vertical marker at x (null for none), e.g. the step being played back. */
  setCursor(x) {
    if (this.cursor === x) return;
    this.cursor = x;
    this.render();
  }

  setPoints(points) {
    this.points = points.slice();
    this.render();
  }

  addPoint(p) {
    this.points.push(p);
    this.render();
  }

  render() {
    this.fit();
    const { svg, w, h } = this;
    svg.replaceChildren();
    const m = { left: 52, right: 14, top: 30, bottom: 40 };
    const pts = this.points.filter((p) => Number.isFinite(p.x));
    const xs = pts.map((p) => p.x);
    const ys = [];
    for (const p of pts) for (const s of this.series) if (Number.isFinite(p[s.key])) ys.push(p[s.key]);
    const area = plotArea({
      w,
      h,
      m,
      xLo: xs.length ? Math.min(...xs) : 0,
      xHi: xs.length ? Math.max(...xs) : 1,
      yLo: ys.length ? Math.min(0, ...ys) : 0,
      yHi: ys.length ? Math.max(0, ...ys) : 1,
    });
    const { pw, ph, sx, sy } = area;

    if (!pts.length) {
      el('rect', { x: m.left, y: m.top, width: pw, height: ph, class: 'chart-frame' }, svg);
      el('text', { x: m.left + pw / 2, y: m.top + ph / 2 + 4, class: 'chart-empty', 'text-anchor': 'middle' }, svg, this.emptyText ?? 'No points yet');
      this.key(m);
      return;
    }

    axes(svg, area, this.xLabel, this.yLabel, PAGE);
    this.key(m);

    if (Number.isFinite(this.cursor) && this.cursor >= area.x0 && this.cursor <= area.x1) {
      const cx = sx(this.cursor);
      el('line', { x1: cx, x2: cx, y1: m.top, y2: m.top + ph, class: 'chart-cursor' }, svg);
    }

    for (const s of this.series) {
      const line = pts.filter((p) => Number.isFinite(p[s.key])).map((p) => [p.x, p[s.key]]);
      if (line.length === 1) {
        const [[x, y]] = line;
        el('circle', { cx: sx(x).toFixed(1), cy: sy(y).toFixed(1), r: 3, class: `chart-dot ${s.className}` }, svg);
      } else if (line.length > 1) {
        el('polyline', { points: polyline(line, area), class: `chart-line ${s.className}` }, svg);
      }
    }
  }

  /** The key, top left: a short line in each series' colour and its name. */
  key(m) {
    let kx = m.left;
    for (const s of this.series) {
      el('line', { x1: kx, x2: kx + 18, y1: 14, y2: 14, class: `chart-line ${s.className}` }, this.svg);
      el('text', { x: kx + 24, y: 18, class: 'chart-key' }, this.svg, s.label);
      kx += 24 + s.label.length * 7 + 20;
    }
  }
}

/** Each figure's last drawing, to draw it again when its width changes. */
const figures = new WeakMap();
const resized = typeof ResizeObserver === 'function'
  ? new ResizeObserver((entries) => {
    for (const e of entries) {
      const last = figures.get(e.target);
      const cw = e.target.getBoundingClientRect().width;
      // Redrawn in the next frame: drawing inside the observer's own
      // callback would trip its loop guard.
      if (last && cw && Math.abs(cw - last.w) > 4) requestAnimationFrame(() => drawChart(e.target, last.spec));
    }
  })
  : null;

/** The width of a key's text: measured once it is in the page, else estimated. */
function textWidth(node, text) {
  try {
    const w = node.getComputedTextLength();
    if (w > 0) return w;
  } catch {
    // Not laid out (no layout yet): estimated below.
  }
  return text.length * 6.6;
}

/**
 * Draws a figure into `svg` (replacing what was there), in the SVG's own
 * pixel width, so that its text is as large on a phone as on a desktop
 * (widgets.css gives every label at least 12 px); a figure is drawn again
 * when its width changes.
 *
 * series: [{label, className, points: [[x, y], …], dashed?, dots?}]
 * scatter: [{x, y, label?, className}] — single points, e.g. a front.
 * peak: {x, y, label} — a marked point with a dropped line.
 */
export function drawChart(svg, spec) {
  const { title, xLabel, yLabel, series = [], scatter = [], peak = null } = spec;
  // The drawn width exactly (not rounded), so that one unit is one pixel.
  const w = Math.max(260, Math.min(720, svg.getBoundingClientRect().width || 440));
  const h = Math.round(Math.max(250, Math.min(300, w * 0.62)));
  if (!figures.has(svg)) resized?.observe(svg);
  figures.set(svg, { w, spec });
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title);
  svg.classList.add('fw-chart');
  el('title', {}, svg, title);

  // The key above the plot: entries side by side, a new row when one
  // would run past the right edge.
  const left = 54;
  const right = 12;
  const key = el('g', { class: 'fw-key-group' }, svg);
  let kx = left;
  let row = 0;
  for (const s of series) {
    const item = el('g', {}, key);
    el('line', { x1: 0, x2: 18, y1: 0, y2: 0, class: `fw-line ${s.className}${s.dashed ? ' fw-dashed' : ''}` }, item);
    const label = el('text', { x: 23, y: 4, class: 'fw-key' }, item, s.label);
    const width = 23 + textWidth(label, s.label);
    if (kx > left && kx + width > w - right) {
      kx = left;
      row += 1;
    }
    item.setAttribute('transform', `translate(${kx} ${13 + 18 * row})`);
    kx += width + 18;
  }
  const m = { left, right, top: series.length ? 32 + 18 * row : 14, bottom: 42 };
  const xs = [];
  const ys = [];
  for (const s of series) {
    for (const [x, y] of s.points) {
      if (Number.isFinite(x) && Number.isFinite(y)) {
        xs.push(x);
        ys.push(y);
      }
    }
  }
  for (const p of scatter) {
    xs.push(p.x);
    ys.push(p.y);
  }
  if (!xs.length) {
    el('text', { x: w / 2, y: h / 2, class: 'fw-empty', 'text-anchor': 'middle' }, svg, 'No data yet');
    return;
  }
  const area = plotArea({ w, h, m, xLo: Math.min(...xs), xHi: Math.max(...xs), yLo: Math.min(...ys), yHi: Math.max(...ys), xCount: w < 400 ? 4 : 5 });
  const { pw, ph, sx, sy } = area;
  axes(svg, area, xLabel, yLabel, FIGURE);

  for (const s of series) {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length > 1) {
      el('polyline', {
        points: polyline(pts, area),
        class: `fw-line ${s.className}${s.dashed ? ' fw-dashed' : ''}`,
        'data-series': s.label,
      }, svg);
    }
    if (s.dots || pts.length === 1) {
      for (const [x, y] of pts) el('circle', { cx: sx(x), cy: sy(y), r: 2.5, class: `fw-dot ${s.className}` }, svg);
    }
  }
  for (const p of scatter) {
    el('circle', { cx: sx(p.x), cy: sy(p.y), r: 4, class: `fw-dot ${p.className}` }, svg);
    if (p.label) {
      const t = el('text', { x: sx(p.x) + 6, y: sy(p.y) - 6, class: 'fw-point-label' }, svg, p.label);
      // Kept inside the figure.
      const tw = textWidth(t, p.label);
      if (sx(p.x) + 6 + tw > w - 2) {
        t.setAttribute('x', String(sx(p.x) - 6));
        t.setAttribute('text-anchor', 'end');
      }
    }
  }
  if (peak && Number.isFinite(peak.x) && Number.isFinite(peak.y)) {
    const px = sx(peak.x);
    const py = sy(peak.y);
    el('line', { x1: px, x2: px, y1: py, y2: m.top + ph, class: 'fw-peak-line' }, svg);
    el('circle', { cx: px, cy: py, r: 5, class: 'fw-peak' }, svg);
    const t = el('text', { x: px, y: Math.max(py - 9, m.top + 12), class: 'fw-point-label', 'text-anchor': 'middle' }, svg, peak.label);
    const half = textWidth(t, peak.label) / 2;
    t.setAttribute('x', String(Math.max(m.left + half, Math.min(px, m.left + pw - half))));
  }
}
