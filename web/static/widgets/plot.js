// Small SVG charts for the feedback widgets: lines over a shared x axis,
// optional scatter points with labels, a marked peak, ticks and a key.
// Every node is built with createElementNS and text goes in as textContent,
// so nothing from the server is ever parsed as markup.

const SVG = 'http://www.w3.org/2000/svg';

export function svgEl(name, attrs = {}, parent = null, text = null) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

/** About `count` round tick values covering [lo, hi]. */
function ticks(lo, hi, count = 5) {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.5 : 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out = [];
  for (let v = Math.floor(lo / step) * step; v <= Math.ceil(hi / step) * step + step / 2; v += step) {
    out.push(Math.round(v / step) * step);
  }
  return out;
}

const label = (v) => String(+v.toFixed(2));

/**
 * Draws a chart into `svg` (replacing what was there).
 *
 * series: [{label, className, points: [[x, y], …], dashed?, dots?}]
 * scatter: [{x, y, label?, className}] — single points, e.g. a front.
 * peak: {x, y, label} — a marked point with a dropped line.
 */
export function drawChart(svg, { title, xLabel, yLabel, series = [], scatter = [], peak = null }) {
  const w = 440;
  const h = 270;
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', title);
  svg.classList.add('fw-chart');
  svgEl('title', {}, svg, title);

  const m = { left: 48, right: 12, top: 14 + 16 * Math.ceil(series.length / 2), bottom: 38 };
  const pw = w - m.left - m.right;
  const ph = h - m.top - m.bottom;
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
    svgEl('text', { x: w / 2, y: h / 2, class: 'fw-empty', 'text-anchor': 'middle' }, svg, 'No data yet');
    return;
  }
  const xt = ticks(Math.min(...xs), Math.max(...xs), 5);
  const yt = ticks(Math.min(...ys), Math.max(...ys), 4);
  const [x0, x1] = [xt[0], xt[xt.length - 1]];
  const [y0, y1] = [yt[0], yt[yt.length - 1]];
  const sx = (x) => m.left + ((x - x0) / (x1 - x0 || 1)) * pw;
  const sy = (y) => m.top + ph - ((y - y0) / (y1 - y0 || 1)) * ph;

  const grid = svgEl('g', { class: 'fw-grid' }, svg);
  for (const v of yt) {
    svgEl('line', { x1: m.left, x2: m.left + pw, y1: sy(v), y2: sy(v), class: v === 0 ? 'fw-zero' : '' }, grid);
    svgEl('text', { x: m.left - 5, y: sy(v) + 4, class: 'fw-tick', 'text-anchor': 'end' }, svg, label(v));
  }
  for (const v of xt) {
    svgEl('text', { x: sx(v), y: m.top + ph + 15, class: 'fw-tick', 'text-anchor': 'middle' }, svg, label(v));
  }
  svgEl('line', { x1: m.left, x2: m.left + pw, y1: m.top + ph, y2: m.top + ph, class: 'fw-axis' }, svg);
  svgEl('line', { x1: m.left, x2: m.left, y1: m.top, y2: m.top + ph, class: 'fw-axis' }, svg);
  svgEl('text', { x: m.left + pw / 2, y: h - 5, class: 'fw-label', 'text-anchor': 'middle' }, svg, xLabel);
  svgEl('text', {
    x: 11,
    y: m.top + ph / 2,
    class: 'fw-label',
    'text-anchor': 'middle',
    transform: `rotate(-90 11 ${m.top + ph / 2})`,
  }, svg, yLabel);

  // The key: two entries per row above the plot.
  series.forEach((s, i) => {
    const kx = m.left + (i % 2) * (pw / 2);
    const ky = 12 + 16 * Math.floor(i / 2);
    svgEl('line', { x1: kx, x2: kx + 18, y1: ky, y2: ky, class: `fw-line ${s.className}${s.dashed ? ' fw-dashed' : ''}` }, svg);
    svgEl('text', { x: kx + 23, y: ky + 4, class: 'fw-key' }, svg, s.label);
  });

  for (const s of series) {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length > 1) {
      svgEl('polyline', {
        points: pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' '),
        class: `fw-line ${s.className}${s.dashed ? ' fw-dashed' : ''}`,
        'data-series': s.label,
      }, svg);
    }
    if (s.dots || pts.length === 1) {
      for (const [x, y] of pts) svgEl('circle', { cx: sx(x), cy: sy(y), r: 2.5, class: `fw-dot ${s.className}` }, svg);
    }
  }
  for (const p of scatter) {
    svgEl('circle', { cx: sx(p.x), cy: sy(p.y), r: 4, class: `fw-dot ${p.className}` }, svg);
    if (p.label) {
      svgEl('text', { x: sx(p.x) + 6, y: sy(p.y) - 6, class: 'fw-point-label' }, svg, p.label);
    }
  }
  if (peak && Number.isFinite(peak.x) && Number.isFinite(peak.y)) {
    const px = sx(peak.x);
    const py = sy(peak.y);
    svgEl('line', { x1: px, x2: px, y1: py, y2: m.top + ph, class: 'fw-peak-line' }, svg);
    svgEl('circle', { cx: px, cy: py, r: 5, class: 'fw-peak' }, svg);
    svgEl('text', {
      x: Math.min(px, m.left + pw - 60),
      y: Math.max(py - 9, m.top + 10),
      class: 'fw-point-label',
      'text-anchor': 'middle',
    }, svg, peak.label);
  }
}
