// A stand-in for the real server, for working on web/ before the Rust server
// exists: serves web/ on the real routes and answers the API (docs/API.md)
// with canned, correctly shaped data. A development aid only; the tests run
// the real binary (see server.js).
//
//   node e2e/mock-server.js [port]
//   node e2e/mock-server.js serve --addr 127.0.0.1:0 --db FILE   (like the binary)
//   node e2e/mock-server.js 8090 --proxy http://127.0.0.1:8080
//     (web/ from disk, the API from a real server: see page edits without a rebuild)

import { createServer, request as httpRequest } from 'node:http';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');

/** A legend line's kind as the server names it (`agent` for the start). */
const KIND_NAMES = { start: 'agent', 'watered tomato': 'tomato' };

function parseLevel(text) {
  const level = { legend: { ' ': 'floor' }, signals: [], account: [] };
  let field = null;
  const block = [];
  const flush = () => {
    if (!field) return;
    if (field === 'story') level.story = block.map((l) => l.trim()).join(' ');
    if (field === 'map') level.map = block.map((l) => l.slice(2));
    if (field === 'legend') {
      for (const l of block) {
        const kind = l.slice(4).trim();
        level.legend[l[2]] = KIND_NAMES[kind] ?? kind;
      }
    }
    if (field === 'signals') {
      for (const l of block) {
        const [name, visibility, ...rest] = l.trim().split(/\s+/);
        level.signals.push({ name, visibility, description: rest.join(' ') });
      }
    }
    block.length = 0;
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.startsWith('  ') && field) {
      block.push(line);
      continue;
    }
    const m = line.match(/^(\w+):\s*(.*)$/);
    if (!m) continue;
    flush();
    field = m[1];
    if (m[2]) level[field] = m[2];
  }
  flush();
  level.map ??= [];
  return {
    id: level.id,
    title: level.title,
    story: level.story,
    steps: Number(level.steps),
    width: level.map.length ? level.map[0].length : 0,
    height: level.map.length,
    map: level.map,
    default_reward: level.reward,
    intent: level.intent,
    signals: level.signals,
    legend: level.legend,
    // The mock draws its frames in the map's own characters, so the map is
    // its preview and the map's legend names every character it draws.
    preview: level.map,
    frame_legend: level.legend,
    best_performance: 42,
    solve_share: 0.9,
  };
}

const levels = readdirSync(join(root, 'levels'))
  .filter((f) => f.endsWith('.level'))
  .sort()
  .map((f) => parseLevel(readFileSync(join(root, 'levels', f), 'utf8')));

function agentsFor(level) {
  const vi = level.id !== 'tomato-watering';
  return [
    {
      name: 'value-iteration',
      power_meaning: 'planning horizon in steps',
      default_power: level.steps,
      min_power: 1,
      max_power: level.steps,
      available: vi,
      why: vi ? null : 'the tomatoes make too many states to plan over exactly',
    },
    { name: 'q-learning', power_meaning: 'training episodes', default_power: 3000, min_power: 1, max_power: 100000, available: true, why: null },
    { name: 'mcts', power_meaning: 'simulations per move', default_power: 400, min_power: 1, max_power: 5000, available: true, why: null },
  ];
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function fail(res, status, message, span) {
  send(res, status, { error: span ? { message, span } : { message } });
}

function check(level, reward) {
  const known = new Map(level.signals.map((s) => [s.name, s.visibility]));
  const re = /[A-Za-z_][A-Za-z0-9_]*/g;
  const used = [];
  let m;
  const bytes = (i) => Buffer.byteLength(reward.slice(0, i));
  while ((m = re.exec(reward))) {
    const name = m[0];
    if (['if', 'then', 'else', 'min', 'max', 'abs'].includes(name)) continue;
    const span = [bytes(m.index), bytes(m.index + name.length)];
    if (!known.has(name)) {
      const near = [...known.keys()].find((k) => k.startsWith(name.slice(0, 2)));
      return { error: `unknown signal \`${name}\`${near ? `; did you mean \`${near}\`?` : ''}`, span };
    }
    if (known.get(name) === 'hidden') {
      return { error: `\`${name}\` is a hidden signal: it records what really happened, and the reward's sensors cannot see it`, span };
    }
    if (!used.includes(name)) used.push(name);
  }
  if (!reward.trim()) return { error: 'expected an expression', span: [0, 0] };
  return { signals: used };
}

function readBody(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(data || '{}'));
      } catch {
        resolve(null);
      }
    });
  });
}

// A world without a map: a few bars that fill up, one action per step.
function textFrames(level, steps) {
  const names = level.signals.map((s) => s.name);
  const bars = [0, 0, 0];
  const draw = () => bars.map((b, i) => `${['quality', 'lobby', 'pollute'][i].padEnd(13)} ${'■'.repeat(b)}${'□'.repeat(6 - b)} ${b}/6`);
  const out = [{ action: null, rows: draw(), signals: names.map(() => 0), reward: 0, intent: 0 }];
  for (let t = 0; t < steps; t++) {
    const k = t % 3;
    bars[k] = Math.min(6, bars[k] + 1);
    out.push({ action: 'icl'[k], rows: draw(), signals: names.map(() => 1), reward: 4, intent: 2 });
  }
  return out;
}

// A walk of the agent over the floor: towards the goal where there is one.
function frames(level, steps) {
  if (!level.map.length) return textFrames(level, steps);
  const rows = level.map.map((r) => r.split(''));
  let pos;
  rows.forEach((r, y) => r.forEach((c, x) => c === 'A' && (pos = [x, y])));
  rows[pos[1]][pos[0]] = ' ';
  const free = (x, y) => rows[y] && rows[y][x] !== undefined && !'#S'.includes(rows[y][x]);
  const out = [];
  const names = level.signals.map((s) => s.name);
  const draw = () => rows.map((r, y) => r.map((c, x) => (x === pos[0] && y === pos[1] ? 'A' : c)).join(''));
  out.push({ action: null, rows: draw(), signals: names.map(() => 0), reward: 0, intent: 0 });
  const moves = { u: [0, -1], d: [0, 1], l: [-1, 0], r: [1, 0] };
  let seed = 7;
  for (let t = 0; t < steps; t++) {
    const options = Object.entries(moves).filter(([, [dx, dy]]) => free(pos[0] + dx, pos[1] + dy));
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const [a, [dx, dy]] = options[seed % options.length];
    pos = [pos[0] + dx, pos[1] + dy];
    if (rows[pos[1]][pos[0]] === 't') rows[pos[1]][pos[0]] = 'T';
    const signals = names.map((n) => (n === 'step' ? 1 : n === 'arrow' && t % 3 === 0 ? 1 : 0));
    out.push({ action: a, rows: draw(), signals, reward: -1, intent: -1 });
    if (rows[pos[1]][pos[0]] === 'G') break;
  }
  return out;
}

const args = process.argv.slice(2);
const flag = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : null);
const dbFile = flag('--db');
const runs = new Map();
const designs = new Map();
if (dbFile) {
  try {
    for (const [k, v] of Object.entries(JSON.parse(readFileSync(dbFile, 'utf8')))) designs.set(k, v);
  } catch {
    // A new database.
  }
}
let nextId = Date.now() % 100000;

const canned = { 'side-effects-sokoban': [45, 35], 'boat-race': [50, 0] };

async function api(req, res, path) {
  let m;
  if (req.method === 'GET' && path === '/api/levels') return send(res, 200, levels);
  if (req.method === 'GET' && (m = path.match(/^\/api\/levels\/([^/]+)$/))) {
    const level = levels.find((l) => l.id === decodeURIComponent(m[1]));
    return level ? send(res, 200, { ...level, agents: agentsFor(level) }) : fail(res, 404, `no level \`${m[1]}\``);
  }
  if (req.method === 'POST' && path === '/api/check') {
    const body = await readBody(req);
    const level = levels.find((l) => l.id === body?.level);
    if (!level) return fail(res, 404, 'no such level');
    const c = check(level, String(body.reward ?? ''));
    return c.error
      ? send(res, 200, { ok: false, signals: [], error: { message: c.error, ...(c.span ? { span: c.span } : {}) } })
      : send(res, 200, { ok: true, signals: c.signals });
  }
  if (req.method === 'POST' && path === '/api/runs') {
    const body = await readBody(req);
    const level = levels.find((l) => l.id === body?.level);
    if (!level) return fail(res, 404, 'no such level');
    const c = check(level, String(body.reward ?? ''));
    if (c.error) return fail(res, 400, c.error, c.span);
    const id = `r-${nextId++}`;
    runs.set(id, { level, body });
    return send(res, 201, { id, events: `/api/runs/${id}/events` });
  }
  if (req.method === 'GET' && (m = path.match(/^\/api\/runs\/([^/]+)\/events$/))) {
    const run = runs.get(m[1]);
    if (!run) return fail(res, 404, 'no such run');
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    const { level, body } = run;
    const agent = body.agent ?? 'value-iteration';
    const total = 20;
    const curve = [];
    for (let i = 1; i <= total; i++) {
      await new Promise((r) => setTimeout(r, 40));
      const point = agent === 'value-iteration' ? null : { x: i * 150, return: 30 * (1 - Math.exp(-i / 5)) + Math.sin(i), performance: 10 - i * 0.8 };
      if (point) curve.push(point);
      res.write(`event: progress\ndata: ${JSON.stringify({ done: i, total, point })}\n\n`);
    }
    if (body.reward.includes('boom')) {
      res.end(`event: error\ndata: ${JSON.stringify({ error: { message: 'the run took longer than its time budget' } })}\n\n`);
      return;
    }
    const fr = frames(level, level.steps);
    if (!curve.length) {
      // Like the server: an agent without a learning curve sends the episode's running totals.
      let [r, p] = [0, 0];
      fr.slice(1).forEach((f, i) => curve.push({ x: i + 1, return: (r += f.reward), performance: (p += f.intent) }));
    }
    const [ret, perf] = canned[level.id] ?? [12.5, -3];
    const result = {
      level: level.id,
      reward: body.reward,
      agent,
      power: body.power ?? 100,
      seed: body.seed ?? 0,
      return: ret,
      performance: perf,
      steps: fr.length - 1,
      terminated: false,
      truncated: true,
      actions: fr.slice(1).map((f) => f.action).join(''),
      signal_names: level.signals.map((s) => s.name),
      frames: fr,
      frame_legend: level.legend,
      totals: Object.fromEntries(level.signals.map((s) => [s.name, 0])),
      account: ['Crossed a checkpoint arrow the way it points 50 times.', 'It was still going when time ran out after 100 steps.'],
      curve,
      best_performance: 42,
      share: perf / 42,
      solved: perf / 42 >= 0.9,
      stars: 0,
      elapsed_ms: 812,
    };
    res.end(`event: result\ndata: ${JSON.stringify(result)}\n\n`);
    return;
  }
  if (req.method === 'POST' && path === '/api/designs') {
    const body = await readBody(req);
    const id = `d${nextId++}`;
    designs.set(id, { ...body, created: new Date().toISOString() });
    if (dbFile) writeFileSync(dbFile, JSON.stringify(Object.fromEntries(designs)));
    return send(res, 201, { id, url: `/s/${id}` });
  }
  if (req.method === 'GET' && (m = path.match(/^\/api\/designs\/([^/]+)$/))) {
    const d = designs.get(m[1]);
    return d ? send(res, 200, d) : fail(res, 404, 'no such design');
  }
  return fail(res, 404, 'no such endpoint');
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.svg': 'image/svg+xml' };
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'";

function file(res, rel) {
  const path = normalize(join(web, rel));
  if (!path.startsWith(web)) return fail(res, 404, 'not found');
  try {
    const body = readFileSync(path);
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream', 'Content-Security-Policy': CSP });
    res.end(body);
  } catch {
    fail(res, 404, 'not found');
  }
}

const proxy = flag('--proxy');

function forward(req, res) {
  const target = new URL(req.url, proxy);
  const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode, up.headers);
    up.pipe(res);
  });
  upstream.on('error', () => fail(res, 502, 'the proxied server did not answer'));
  req.pipe(upstream);
}

const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path.startsWith('/api/')) return void (proxy ? forward(req, res) : api(req, res, path));
  if (path === '/') return file(res, 'index.html');
  if (path === '/play') return file(res, 'play.html');
  if (/^\/(play|s)\/[^/]+$/.test(path)) return file(res, 'level.html');
  if (path.startsWith('/static/')) return file(res, path.slice(1));
  return fail(res, 404, 'not found');
});

const port = flag('--addr') ? Number(flag('--addr').split(':').pop()) : Number(/^\d+$/.test(args[0] ?? '') ? args[0] : 8090);
server.listen(port, '127.0.0.1', () => {
  const bound = server.address();
  console.log(`listening on http://${bound.address}:${bound.port}`);
});
