// The player's progress, kept in this browser only (localStorage key
// `loophole.progress`: {levelId: {stars, solved, reward}}).

const KEY = 'loophole.progress';

export function loadProgress() {
  try {
    const data = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return data && typeof data === 'object' && !Array.isArray(data) ? data : {};
  } catch {
    // Storage may be disabled or hold something unreadable: start afresh.
    return {};
  }
}

export function levelProgress(levelId) {
  const p = loadProgress()[levelId];
  if (!p || typeof p !== 'object') return { stars: 0, solved: false, reward: null };
  return {
    stars: Number.isInteger(p.stars) ? Math.max(0, Math.min(3, p.stars)) : 0,
    solved: p.solved === true,
    reward: typeof p.reward === 'string' ? p.reward : null,
  };
}

/** Records a finished run; keeps the best result and the reward that earned it. */
export function recordRun(levelId, { stars, solved, reward }) {
  const all = loadProgress();
  const prev = levelProgress(levelId);
  const better = stars > prev.stars || (solved && !prev.solved) || prev.reward === null;
  all[levelId] = {
    stars: Math.max(prev.stars, stars),
    solved: prev.solved || solved,
    reward: better ? reward : prev.reward,
  };
  try {
    localStorage.setItem(KEY, JSON.stringify(all));
  } catch {
    // Private browsing or a full quota: progress is a nicety, not a must.
  }
  return all[levelId];
}

/** "★★☆" for 2 of 3 stars. */
export function starText(stars) {
  const n = Math.max(0, Math.min(3, stars | 0));
  return '★'.repeat(n) + '☆'.repeat(3 - n);
}
