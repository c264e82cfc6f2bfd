// The one way numbers are written on the pages. A number that is missing
// or not finite is shown as a dash, never as "NaN" or "undefined".

/**
 * A number as people read it: integers plain, others rounded to `digits`
 * decimals with trailing zeros dropped (1.5, not 1.50), never "-0".
 * `fixed` keeps exactly `digits` decimals (0.50, for a column of scores);
 * `grouped` separates thousands (3,000 training episodes); `compact` writes
 * large numbers with k and M (12.5k, 3M), for chart ticks.
 */
export function formatNumber(x, { digits = 2, fixed = false, grouped = false, compact = false } = {}) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '–';
  if (compact) {
    const a = Math.abs(x);
    if (a >= 1e6) return `${formatNumber(x / 1e6, { digits: 1 })}M`;
    if (a >= 1e4) return `${formatNumber(x / 1e3, { digits: 1 })}k`;
  }
  if (fixed) return x.toFixed(digits);
  const scale = 10 ** digits;
  const rounded = Math.round(x * scale) / scale;
  const r = Object.is(rounded, -0) ? 0 : rounded;
  return grouped ? r.toLocaleString('en', { maximumFractionDigits: digits }) : String(r);
}

/** A share (0.25) as a whole percentage ("25%"). */
export const formatPercent = (x) => (typeof x === 'number' && Number.isFinite(x) ? `${Math.round(x * 100)}%` : '–');
