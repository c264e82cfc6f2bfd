// The list of levels: one card each, with a map thumbnail and the player's
// progress from this browser.

import { getLevels } from './api.js';
import { el, svgEl } from './dom.js';
import { drawMap } from './map.js';
import { levelProgress, starText } from './progress.js';

/** The story's first sentence, for a card. */
export function firstSentence(text) {
  const flat = String(text ?? '').replace(/\s+/g, ' ').trim();
  const m = flat.match(/^.*?[.!?](?=\s|$)/);
  return m ? m[0] : flat;
}

function card(level, index) {
  const li = el('li', { className: 'level-card' });
  const a = el('a', { className: 'level-link', href: `/play/${encodeURIComponent(level.id)}`, dataset: { levelId: level.id } }, li);

  const thumb = el('div', { className: 'thumb' }, a);
  const svg = svgEl('svg');
  drawMap(svg, level, `Map of ${level.title}`);
  svg.setAttribute('aria-hidden', 'true');
  thumb.appendChild(svg);

  const body = el('div', { className: 'card-body' }, a);
  el('p', { className: 'card-kicker' }, body, `Level ${index + 1}`);
  el('h2', { className: 'card-title' }, body, level.title);
  el('p', { className: 'card-story' }, body, firstSentence(level.story));

  const p = levelProgress(level.id);
  const status = el('p', { className: `card-status ${p.solved ? 'solved' : p.reward !== null ? 'tried' : 'new'}` }, body);
  if (p.solved) {
    el('span', { className: 'badge solved' }, status, 'Solved');
  } else if (p.reward !== null) {
    el('span', { className: 'badge tried' }, status, 'Tried, not solved');
  } else {
    el('span', { className: 'badge new' }, status, 'Not played yet');
  }
  el('span', { className: 'stars', 'aria-label': `${p.stars} of 3 stars` }, status, starText(p.stars));
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
