// What the level page knows at any moment: the level, the run in progress,
// which reward check is the latest, where the reward's error is, and the
// episode being played back. Plain data and the few changes made to it;
// the view shows it and the controller (../level.js) changes it.

import { agentPath, runningTotals } from './rules.js';

export function createState() {
  return {
    /** The level as GET /api/levels/{id} sends it. */
    level: null,
    /** Whether a run is in progress, and how to stop following it. */
    running: false,
    stopStream: null,
    /** The serial of the latest reward check: older answers are dropped. */
    checkSeq: 0,
    /** [start, end] string indices of the reward's error, or null. */
    errorRange: null,
    /** Whether the chart follows the played episode (so playback moves its cursor). */
    episodeCurve: false,
    /** The episode being played back (a Playback), or null. */
    playback: null,
  };
}

/**
 * A run's frames, the legend of their rows' characters, their running
 * totals and the step on show.
 */
export class Playback {
  constructor(frames, names, legend) {
    this.frames = frames;
    this.names = names;
    this.legend = legend;
    this.sums = runningTotals(frames, names);
    /** The agent's cell in each frame (null where it has none), for its trail. */
    this.path = agentPath(frames, legend);
    this.index = 0;
  }

  get last() {
    return this.frames.length - 1;
  }

  get atEnd() {
    return this.index >= this.last;
  }

  /** Moves to step `i` (kept within the episode) and returns its frame. */
  seek(i) {
    this.index = Math.max(0, Math.min(this.last, i));
    return this.frames[this.index];
  }
}
