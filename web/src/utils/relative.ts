import type { Lang } from '../locales/lang';

const UNITS: [Intl.RelativeTimeFormatUnit, number, number][] = [
  // unit, its length in seconds, and the count from which the next larger unit takes over
  ['second', 1, 60],
  ['minute', 60, 60],
  ['hour', 3600, 24],
  ['day', 86_400, 30],
  ['month', 2_629_800, 12],
  ['year', 31_557_600, Infinity],
];

const formatters = new Map<string, Intl.RelativeTimeFormat>();
function formatter(lang: Lang, numeric: 'auto' | 'always'): Intl.RelativeTimeFormat {
  const key = `${lang}:${numeric}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.RelativeTimeFormat(lang, { numeric, style: 'long' });
    formatters.set(key, found);
  }
  return found;
}

/**
 * `instant` relative to `nowMs` in words: "in 5 minutes", "3 hours ago", "now" (within 5 s).
 * The largest unit that still counts below the next one, rounded: 89 minutes read "1 hour".
 */
export function relativeTime(instant: string, nowMs: number, lang: Lang): string {
  const seconds = (Date.parse(instant) - nowMs) / 1000;
  if (Math.abs(seconds) < 5) return formatter(lang, 'auto').format(0, 'second');
  for (const [unit, length, next] of UNITS) {
    // Rounded away from zero at halves in both directions (Math.round alone favours the future).
    const count = Math.sign(seconds) * Math.round(Math.abs(seconds) / length);
    if (Math.abs(count) < next) return formatter(lang, 'always').format(count, unit);
  }
  return instant;
}
