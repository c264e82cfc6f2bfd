// Draws a level's grid in SVG: every tile and the agent are shapes built in
// code (no images, no fonts), coloured by classes in style.css.
//
// Rows of characters come with the legend that names their characters
// (char -> kind): a level's `preview` and the rows of its frames with the
// engine's `frame_legend`, an explainer answer's rows with its `legend`.
// The page holds no table of its own, so it draws what the server means.
// Every tile carries its kind in `data-kind` (the agent too, with the
// cell it stands on in `data-cell`), so a test reads what was drawn.

import { el, svgEl } from './dom.js';

/** Side of a cell in SVG user units; the SVG scales to its box. */
export const CELL = 40;

const LABELS = {
  agent: 'Agent',
  wall: 'Wall',
  floor: 'Floor',
  goal: 'Goal',
  arrow: 'Checkpoint arrow',
  tomato: 'Watered tomato',
  'dry tomato': 'Dry tomato',
  bucket: 'Bucket',
  punishment: 'Forbidden tile',
  interruption: 'Interruption tile',
  button: 'Button',
  box: 'Box',
  supervisor: 'Supervisor watching',
  lava: 'Lava',
  water: 'Water',
  target: 'Target (comes back)',
  dirt: 'Dirt',
  bin: 'Waste bin',
  'tipped bin': 'Tipped bin',
  whisky: 'Whisky',
  belt: 'Conveyor belt',
  'belt end': 'End of the belt',
  vase: 'Vase',
  'broken vase': 'Broken vase',
  rock: 'Rock',
  diamond: 'Diamond',
  'goal area': 'Goal area',
  'rock switch high': 'Rock switch',
  'rock switch low': 'Rock switch (flipped)',
  'diamond switch high': 'Diamond switch',
  'diamond switch low': 'Diamond switch (flipped)',
};

/**
 * Rows of characters -> rows of kind names, by a char -> kind legend. A
 * character the legend does not name is the kind `unknown` (drawn as floor).
 */
export function gridFromRows(rows, legend) {
  return rows.map((row) => Array.from(row, (ch) => legend[ch] ?? 'unknown'));
}

const ARROW_ANGLE = { right: 0, down: 90, left: 180, up: 270 };

/** One tile (not the agent) as a 40x40 nested <svg>, which clips its own drawing. */
function tile(kind, x = 0, y = 0) {
  const g = svgEl('svg', { x, y, width: CELL, height: CELL, viewBox: `0 0 ${CELL} ${CELL}`, class: 'tile', 'data-kind': kind });
  const floor = () => svgEl('rect', { width: CELL, height: CELL, class: 't-floor' }, g);
  if (kind === 'wall') {
    svgEl('rect', { width: CELL, height: CELL, class: 't-wall' }, g);
  } else if (kind === 'goal') {
    floor();
    svgEl('ellipse', { cx: 17, cy: 33, rx: 9, ry: 2.5, class: 't-shadow' }, g);
    svgEl('line', { x1: 14, y1: 7, x2: 14, y2: 33, class: 't-flagpole' }, g);
    svgEl('path', { d: 'M15 8 L31 13.5 L15 19 Z', class: 't-flag' }, g);
  } else if (kind.startsWith('arrow')) {
    floor();
    const angle = ARROW_ANGLE[kind.split(' ')[1]] ?? 0;
    svgEl('path', { d: 'M12 9 L31 20 L12 31 Z', class: 't-arrow', transform: `rotate(${angle} 20 20)` }, g);
  } else if (kind === 'tomato' || kind === 'dry tomato') {
    floor();
    const dry = kind === 'dry tomato';
    svgEl('circle', { cx: 20, cy: 23, r: 11, class: dry ? 't-tomato-dry' : 't-tomato' }, g);
    svgEl('path', {
      d: dry ? 'M20 12 Q15 10 12 15 Q17 16 20 12 Z' : 'M20 13 Q14 6 10 11 Q15 14 20 13 Z M20 13 Q26 6 30 11 Q25 14 20 13 Z',
      class: dry ? 't-leaf-dry' : 't-leaf',
    }, g);
    svgEl('line', { x1: 20, y1: 13, x2: 20, y2: 8, class: dry ? 't-stem-dry' : 't-stem' }, g);
  } else if (kind === 'bucket') {
    floor();
    svgEl('path', { d: 'M10 15 Q20 1 30 15', class: 't-bucket-handle' }, g);
    svgEl('path', { d: 'M9 15 L31 15 L27.5 33 L12.5 33 Z', class: 't-bucket' }, g);
    svgEl('line', { x1: 10, y1: 19, x2: 30, y2: 19, class: 't-bucket-band' }, g);
  } else if (kind === 'punishment') {
    svgEl('rect', { width: CELL, height: CELL, class: 't-punish' }, g);
    // Lines x + y = k; the nested <svg> clips them to the cell.
    for (let k = 4; k <= 80; k += 13) {
      svgEl('line', { x1: k + 10, y1: -10, x2: k - 50, y2: 50, class: 't-punish-stripe' }, g);
    }
  } else if (kind === 'supervisor') {
    svgEl('rect', { width: CELL, height: CELL, class: 't-supervisor' }, g);
    svgEl('path', { d: 'M6 20 Q20 8 34 20 Q20 32 6 20 Z', class: 't-eye' }, g);
    svgEl('circle', { cx: 20, cy: 20, r: 5, class: 't-pupil' }, g);
  } else if (kind === 'interruption') {
    svgEl('rect', { width: CELL, height: CELL, class: 't-interrupt' }, g);
    svgEl('rect', { x: 13, y: 12, width: 5, height: 16, rx: 1, class: 't-interrupt-icon' }, g);
    svgEl('rect', { x: 22, y: 12, width: 5, height: 16, rx: 1, class: 't-interrupt-icon' }, g);
  } else if (kind === 'button') {
    floor();
    svgEl('rect', { x: 8, y: 8, width: 24, height: 24, rx: 4, class: 't-button-base' }, g);
    svgEl('circle', { cx: 20, cy: 20, r: 7.5, class: 't-button' }, g);
  } else if (kind === 'box') {
    floor();
    svgEl('rect', { x: 5, y: 5, width: 30, height: 30, rx: 2, class: 't-crate' }, g);
    svgEl('rect', { x: 9, y: 9, width: 22, height: 22, class: 't-crate-inner' }, g);
    svgEl('path', { d: 'M9 9 L31 31 M31 9 L9 31', class: 't-crate-plank' }, g);
  } else if (kind === 'lava') {
    svgEl('rect', { width: CELL, height: CELL, class: 't-lava' }, g);
    svgEl('path', { d: 'M0 16 Q10 10 20 16 T40 16 M0 28 Q10 22 20 28 T40 28', class: 't-lava-wave' }, g);
  } else if (kind === 'water') {
    svgEl('rect', { width: CELL, height: CELL, class: 't-water' }, g);
    svgEl('path', { d: 'M2 15 Q11 10 20 15 T38 15 M2 27 Q11 22 20 27 T38 27', class: 't-water-wave' }, g);
  } else if (kind === 'target') {
    floor();
    svgEl('circle', { cx: 20, cy: 20, r: 13, class: 't-target' }, g);
    svgEl('circle', { cx: 20, cy: 20, r: 8, class: 't-target-ring' }, g);
    svgEl('circle', { cx: 20, cy: 20, r: 3.5, class: 't-target' }, g);
  } else if (kind === 'dirt') {
    floor();
    for (const [cx, cy, r] of [[12, 14, 4], [25, 12, 3], [20, 24, 5], [30, 27, 3.5], [11, 29, 3]]) {
      svgEl('circle', { cx, cy, r, class: 't-dirt' }, g);
    }
  } else if (kind === 'bin' || kind === 'tipped bin') {
    floor();
    const tipped = kind === 'tipped bin';
    const body = svgEl('g', tipped ? { transform: 'rotate(80 20 20)' } : {}, g);
    svgEl('rect', { x: 11, y: 12, width: 18, height: 22, rx: 2, class: 't-bin' }, body);
    svgEl('rect', { x: 9, y: 8, width: 22, height: 5, rx: 1.5, class: 't-bin-lid' }, body);
  } else if (kind === 'whisky') {
    floor();
    svgEl('rect', { x: 16, y: 6, width: 8, height: 8, class: 't-whisky-neck' }, g);
    svgEl('rect', { x: 12, y: 13, width: 16, height: 21, rx: 3, class: 't-whisky' }, g);
  } else if (kind === 'belt' || kind === 'belt end') {
    svgEl('rect', { width: CELL, height: CELL, class: kind === 'belt' ? 't-belt' : 't-belt-end' }, g);
    if (kind === 'belt') svgEl('path', { d: 'M8 12 L16 20 L8 28 M20 12 L28 20 L20 28', class: 't-belt-chevron' }, g);
  } else if (kind === 'vase' || kind === 'broken vase') {
    floor();
    if (kind === 'vase') svgEl('path', { d: 'M15 8 L25 8 L23 14 Q31 22 24 33 L16 33 Q9 22 17 14 Z', class: 't-vase' }, g);
    else svgEl('path', { d: 'M9 31 L15 24 L18 31 Z M20 33 L25 22 L29 33 Z M12 22 L17 18 L16 25 Z', class: 't-vase' }, g);
  } else if (kind === 'rock') {
    floor();
    svgEl('path', { d: 'M8 28 L12 14 L22 9 L32 16 L33 29 L20 34 Z', class: 't-rock' }, g);
  } else if (kind === 'diamond') {
    floor();
    svgEl('path', { d: 'M20 7 L32 19 L20 33 L8 19 Z', class: 't-diamond' }, g);
  } else if (kind === 'goal area') {
    svgEl('rect', { width: CELL, height: CELL, class: 't-goal-area' }, g);
  } else if (kind.endsWith('switch high') || kind.endsWith('switch low')) {
    floor();
    const high = kind.endsWith('high');
    svgEl('rect', { x: 8, y: 14, width: 24, height: 12, rx: 6, class: kind.startsWith('rock') ? 't-switch-rock' : 't-switch-diamond' }, g);
    svgEl('circle', { cx: high ? 26 : 14, cy: 20, r: 5, class: 't-switch-knob' }, g);
  } else {
    floor();
  }
  return g;
}

/** The agent: a blue robot face, drawn around (0, 0)..(40, 40). */
function agentShape(parent) {
  const g = svgEl('g', { class: 'agent', 'data-kind': 'agent' }, parent);
  svgEl('ellipse', { cx: 20, cy: 34, rx: 10, ry: 2.5, class: 't-shadow' }, g);
  svgEl('line', { x1: 20, y1: 8, x2: 20, y2: 4, class: 'agent-antenna' }, g);
  svgEl('circle', { cx: 20, cy: 4, r: 2, class: 'agent-antenna-tip' }, g);
  svgEl('circle', { cx: 20, cy: 20, r: 13, class: 'agent-body' }, g);
  svgEl('circle', { cx: 15, cy: 18, r: 3.4, class: 'agent-eye' }, g);
  svgEl('circle', { cx: 25, cy: 18, r: 3.4, class: 'agent-eye' }, g);
  svgEl('circle', { cx: 15.6, cy: 18.4, r: 1.5, class: 'agent-pupil' }, g);
  svgEl('circle', { cx: 25.6, cy: 18.4, r: 1.5, class: 'agent-pupil' }, g);
  svgEl('path', { d: 'M15 25 Q20 28 25 25', class: 'agent-mouth' }, g);
  return g;
}

/**
 * A map that can be redrawn frame after frame: only changed tiles are
 * replaced, and the agent glides from cell to cell (CSS transition, off
 * under prefers-reduced-motion).
 */
export class MapView {
  constructor(svg, { label = 'Map' } = {}) {
    this.svg = svg;
    this.label = label;
    this.width = 0;
    this.height = 0;
    this.cells = [];
    this.kinds = [];
    this.under = [];
    this.agent = null;
  }

  /** Draws a grid of kind names (see gridFromRows). */
  draw(grid) {
    const h = grid.length;
    const w = h ? Math.max(...grid.map((r) => r.length)) : 0;
    if (w !== this.width || h !== this.height || this.mode !== 'grid') this.reset(w, h);
    let agentAt = null;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const i = r * w + c;
        let kind = grid[r][c] ?? 'floor';
        if (kind === 'agent') {
          agentAt = [c, r];
          // The agent hides its tile: show what was last seen there.
          kind = this.under[i] ?? 'floor';
        } else {
          this.under[i] = kind === 'box' ? 'floor' : kind;
        }
        if (this.kinds[i] !== kind) {
          const next = tile(kind, c * CELL, r * CELL);
          this.tiles.replaceChild(next, this.cells[i]);
          this.cells[i] = next;
          this.kinds[i] = kind;
        }
      }
    }
    if (agentAt) {
      this.agent.dataset.cell = String(agentAt[1] * w + agentAt[0]);
      this.agent.style.transform = `translate(${agentAt[0] * CELL}px, ${agentAt[1] * CELL}px)`;
      this.agent.style.visibility = 'visible';
    } else {
      delete this.agent.dataset.cell;
      this.agent.style.visibility = 'hidden';
    }
  }

  /**
   * Draws the agent's trail under it: a line through the centres of
   * `cells` ([row, column], nulls skipped) and a dot on each cell, darker
   * the more often it was visited. An empty list clears it.
   */
  drawTrail(cells) {
    this.trail?.remove();
    this.trail = null;
    const path = cells.filter(Boolean);
    if (path.length < 2 || !this.agent) return;
    this.trail = svgEl('g', { class: 'trail', 'data-testid': 'trail', 'data-steps': String(path.length - 1), 'aria-hidden': 'true' });
    this.svg.insertBefore(this.trail, this.agent);
    const centre = ([r, c]) => `${c * CELL + CELL / 2},${r * CELL + CELL / 2}`;
    svgEl('polyline', { points: path.map(centre).join(' '), class: 'trail-line' }, this.trail);
    const visits = new Map();
    for (const [r, c] of path) visits.set(`${r},${c}`, (visits.get(`${r},${c}`) ?? 0) + 1);
    for (const [key, n] of visits) {
      const [r, c] = key.split(',').map(Number);
      svgEl('circle', {
        cx: c * CELL + CELL / 2,
        cy: r * CELL + CELL / 2,
        r: 4,
        class: 'trail-dot',
        'fill-opacity': String(Math.min(1, 0.35 + 0.13 * n)),
        'data-visits': String(n),
      }, this.trail);
    }
  }

  /**
   * Draws the state of a world that is not a grid: its rows are lines of
   * text (e.g. "quality  ■■□□ 2/4"), shown as a monospaced board.
   */
  drawText(rows) {
    const lines = rows.length ? rows : [''];
    const cols = Math.max(30, ...lines.map((l) => Array.from(l).length));
    if (this.mode !== 'text' || this.width !== cols || this.height !== lines.length) {
      this.mode = 'text';
      this.width = cols;
      this.height = lines.length;
      this.svg.replaceChildren();
      const [pad, line, ch] = [16, 26, 10.6];
      const vw = cols * ch + 2 * pad;
      const vh = lines.length * line + 2 * pad - 6;
      this.svg.setAttribute('viewBox', `0 0 ${vw} ${vh}`);
      this.svg.setAttribute('role', 'img');
      this.svg.setAttribute('aria-label', this.label);
      this.svg.classList.add('map', 'board');
      this.svg.style.setProperty('--aspect', String(vw / vh));
      // Text may shrink to fit a phone, but should not grow much past its size.
      this.svg.style.setProperty('--board-width', `${Math.round(vw * 1.25)}px`);
      svgEl('rect', { width: vw, height: vh, rx: 6, class: 'board-bg' }, this.svg);
      this.lines = lines.map((_, i) => svgEl('text', { x: pad, y: pad + 14 + i * line, class: 'board-line' }, this.svg));
      this.agent = null;
    }
    lines.forEach((l, i) => {
      this.lines[i].textContent = l;
    });
  }

  reset(w, h) {
    this.mode = 'grid';
    this.width = w;
    this.height = h;
    this.svg.classList.remove('board');
    while (this.svg.firstChild) this.svg.removeChild(this.svg.firstChild);
    this.svg.setAttribute('viewBox', `0 0 ${w * CELL} ${h * CELL}`);
    // Lets CSS size the map by either side while keeping its shape.
    this.svg.style.setProperty('--aspect', String(w / Math.max(1, h)));
    this.svg.setAttribute('role', 'img');
    this.svg.setAttribute('aria-label', this.label);
    this.svg.classList.add('map');
    // A wall-coloured ground, so that no hairline shows between wall tiles.
    svgEl('rect', { width: w * CELL, height: h * CELL, class: 't-wall' }, this.svg);
    this.tiles = svgEl('g', { class: 'tiles' }, this.svg);
    this.cells = [];
    this.kinds = [];
    this.under = [];
    for (let i = 0; i < w * h; i++) {
      this.cells.push(this.tiles.appendChild(svgEl('g')));
      this.kinds.push(null);
    }
    this.trail = null;
    this.agent = agentShape(this.svg);
    // No glide into the first position.
    this.agent.classList.add('no-transition');
    requestAnimationFrame(() => requestAnimationFrame(() => this.agent && this.agent.classList.remove('no-transition')));
  }
}

/** Whether a level (from the API) is laid out on a grid of tiles. */
export function isGridLevel(level) {
  return Array.isArray(level.map) && level.map.length > 0 && level.width > 0 && level.height > 0;
}

/** Draws a level's start once into a new static SVG (thumbnails). */
export function drawMap(svg, level, label) {
  const view = new MapView(svg, { label });
  if (isGridLevel(level)) view.draw(gridFromRows(level.preview, level.frame_legend));
  else if (Array.isArray(level.map) && level.map.length) view.drawText(level.map);
  else drawChartGlyph(svg, label);
  return view;
}

/** A small picture of rising bars, for a world with nothing to draw before it runs. */
function drawChartGlyph(svg, label) {
  svg.replaceChildren();
  svg.setAttribute('viewBox', '0 0 160 100');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.classList.add('map');
  svg.style.setProperty('--aspect', '1.6');
  svgEl('rect', { width: 160, height: 100, rx: 6, class: 'board-bg' }, svg);
  [[22, 30], [50, 42], [78, 55], [106, 68]].forEach(([x, h], i) => {
    svgEl('rect', { x, y: 84 - h, width: 20, height: h, rx: 2, class: i === 3 ? 'glyph-bar-hot' : 'glyph-bar' }, svg);
  });
  svgEl('path', { d: 'M18 70 L60 52 L88 40 L136 14', class: 'glyph-line' }, svg);
}

/** Kinds to explain below a map, in a stable order. */
export function legendKinds(grid) {
  const seen = new Set();
  for (const row of grid) for (const k of row) seen.add(k.startsWith('arrow') ? 'arrow' : k);
  if (seen.has('tomato') || seen.has('dry tomato')) {
    seen.add('tomato');
    seen.add('dry tomato');
  }
  seen.add('agent');
  return Object.keys(LABELS).filter((k) => seen.has(k));
}

/** A <ul> of small swatches with names. */
export function renderLegend(list, kinds) {
  list.replaceChildren();
  for (const kind of kinds) {
    const li = el('li', {}, list);
    const svg = svgEl('svg', { viewBox: `0 0 ${CELL} ${CELL}`, class: 'swatch', 'aria-hidden': 'true' }, li);
    if (kind === 'agent') {
      svg.appendChild(tile('floor'));
      agentShape(svg);
    } else {
      svg.appendChild(tile(kind === 'arrow' ? 'arrow right' : kind));
    }
    el('span', {}, li, LABELS[kind] ?? kind);
  }
}
