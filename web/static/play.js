// The list of levels: one card each, with a map thumbnail and the player's
// progress from this browser.

import { getLevels } from './api.js';
import { drawMap } from './map.js';
import { levelProgress, starText } from './progress.js';

const SVG = 'http://www.w3.org/2000/svg';

/** The story's first sentence, for a card. */
export function firstSentence(text) {
  const flat = String(text ?? '').replace(/\s+/g, ' ').trim();
  const m = flat.match(/^.*?[.!?](?=\s|$)/);
  return m ? m[0] : flat;
}

function node(tag, className, text) {
  const n = document.createElement(tag);
  if (className) n.className = className;
  if (text !== undefined) n.textContent = text;
  return n;
}

function card(level, index) {
  const li = node('li', 'level-card');
  const a = node('a', 'level-link');
  a.href = `/play/${encodeURIComponent(level.id)}`;
  a.dataset.levelId = level.id;

  const thumb = node('div', 'thumb');
  const svg = document.createElementNS(SVG, 'svg');
  drawMap(svg, level, `Map of ${level.title}`);
  svg.setAttribute('aria-hidden', 'true');
  thumb.appendChild(svg);
  a.appendChild(thumb);

  const body = node('div', 'card-body');
  body.appendChild(node('p', 'card-kicker', `Level ${index + 1}`));
  body.appendChild(node('h2', 'card-title', level.title));
  body.appendChild(node('p', 'card-story', firstSentence(level.story)));

  const p = levelProgress(level.id);
  const status = node('p', `card-status ${p.solved ? 'solved' : p.reward !== null ? 'tried' : 'new'}`);
  if (p.solved) {
    status.appendChild(node('span', 'badge solved', 'Solved'));
  } else if (p.reward !== null) {
    status.appendChild(node('span', 'badge tried', 'Tried, not solved'));
  } else {
    status.appendChild(node('span', 'badge new', 'Not played yet'));
  }
  const stars = node('span', 'stars', starText(p.stars));
  stars.setAttribute('aria-label', `${p.stars} of 3 stars`);
  status.appendChild(stars);
  body.appendChild(status);
  a.appendChild(body);
  li.appendChild(a);
  return li;
}

async function main() {
  const list = document.getElementById('level-list');
  const errorBox = document.getElementById('levels-error');
  try {
    const levels = await getLevels();
    list.replaceChildren(...levels.map(card));
    const solved = levels.filter((l) => levelProgress(l.id).solved).length;
    const stars = levels.reduce((n, l) => n + levelProgress(l.id).stars, 0);
    document.getElementById('progress-summary').textContent =
      `Solved ${solved} of ${levels.length} levels · ${stars} of ${levels.length * 3} stars`;
  } catch (err) {
    list.replaceChildren();
    errorBox.textContent = `The levels could not be loaded: ${err.message}`;
    errorBox.hidden = false;
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}

main();
