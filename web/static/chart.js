// A small SVG line chart: a few series over a shared x axis, with nice ticks,
// axis titles and a key. Redrawn whole on every update (a few hundred points
// at most), which keeps it simple.

const SVG = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, parent = null, text = null) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

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

function tickLabel(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toFixed(1)}k`;
  return String(+v.toFixed(2));
}

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
    const pw = w - m.left - m.right;
    const ph = h - m.top - m.bottom;
    const pts = this.points.filter((p) => Number.isFinite(p.x));
    const xs = pts.map((p) => p.x);
    const ys = [];
    for (const p of pts) for (const s of this.series) if (Number.isFinite(p[s.key])) ys.push(p[s.key]);
    const xt = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1, 5);
    const yt = niceTicks(ys.length ? Math.min(0, ...ys) : 0, ys.length ? Math.max(0, ...ys) : 1, 4);
    const [x0, x1] = [xt[0], xt[xt.length - 1]];
    const [y0, y1] = [yt[0], yt[yt.length - 1]];
    const sx = (x) => m.left + ((x - x0) / (x1 - x0 || 1)) * pw;
    const sy = (y) => m.top + ph - ((y - y0) / (y1 - y0 || 1)) * ph;

    if (!pts.length) {
      el('rect', { x: m.left, y: m.top, width: pw, height: ph, class: 'chart-frame' }, svg);
      el('text', { x: m.left + pw / 2, y: m.top + ph / 2 + 4, class: 'chart-empty', 'text-anchor': 'middle' }, svg, this.emptyText ?? 'No points yet');
      this.key(m);
      return;
    }

    const grid = el('g', { class: 'chart-grid' }, svg);
    for (const v of yt) {
      el('line', { x1: m.left, x2: m.left + pw, y1: sy(v), y2: sy(v), class: v === 0 ? 'zero' : '' }, grid);
      el('text', { x: m.left - 6, y: sy(v) + 4, class: 'chart-tick', 'text-anchor': 'end' }, svg, tickLabel(v));
    }
    for (const v of xt) {
      el('text', { x: sx(v), y: m.top + ph + 16, class: 'chart-tick', 'text-anchor': 'middle' }, svg, tickLabel(v));
    }
    el('line', { x1: m.left, x2: m.left + pw, y1: m.top + ph, y2: m.top + ph, class: 'chart-axis' }, svg);
    el('line', { x1: m.left, x2: m.left, y1: m.top, y2: m.top + ph, class: 'chart-axis' }, svg);
    el('text', { x: m.left + pw / 2, y: h - 6, class: 'chart-label', 'text-anchor': 'middle' }, svg, this.xLabel);
    el('text', {
      x: 12,
      y: m.top + ph / 2,
      class: 'chart-label',
      'text-anchor': 'middle',
      transform: `rotate(-90 12 ${m.top + ph / 2})`,
    }, svg, this.yLabel);

    this.key(m);

    if (Number.isFinite(this.cursor) && this.cursor >= x0 && this.cursor <= x1) {
      const cx = sx(this.cursor);
      el('line', { x1: cx, x2: cx, y1: m.top, y2: m.top + ph, class: 'chart-cursor' }, svg);
    }

    for (const s of this.series) {
      const coords = pts.filter((p) => Number.isFinite(p[s.key])).map((p) => `${sx(p.x).toFixed(1)},${sy(p[s.key]).toFixed(1)}`);
      if (coords.length === 1) {
        const [cx, cy] = coords[0].split(',');
        el('circle', { cx, cy, r: 3, class: `chart-dot ${s.className}` }, svg);
      } else if (coords.length > 1) {
        el('polyline', { points: coords.join(' '), class: `chart-line ${s.className}` }, svg);
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
