import dayjs, { type Dayjs } from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

export { dayjs };

let zoneOfThisPage: string | undefined;

/**
 * The browser's IANA zone; the default of a new task's time zone. Read once per page: making an
 * `Intl.DateTimeFormat` costs about a millisecond, and every time cell of the list asks.
 */
export function browserTimeZone(): string {
  if (zoneOfThisPage === undefined) {
    try {
      zoneOfThisPage = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    } catch {
      zoneOfThisPage = 'UTC';
    }
  }
  return zoneOfThisPage;
}

/** Every IANA zone this browser knows, UTC first. */
export function timeZoneNames(): string[] {
  const names = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...names.filter((n) => n !== 'UTC')];
}

const WALL = 'YYYY-MM-DDTHH:mm:ss';

/**
 * The instant a wall-clock date-time denotes in `zone`, as RFC 3339 UTC. The pickers hold
 * plain wall times (in the browser's zone, as dayjs does); the task's zone gives them meaning.
 */
export function wallToInstant(wall: Dayjs, zone: string): string {
  return dayjs.tz(wall.format(WALL), zone).utc().format('YYYY-MM-DDTHH:mm:ss[Z]');
}

/** The inverse of {@link wallToInstant}: a picker value showing `instant`'s wall time in `zone`. */
export function instantToWall(instant: string, zone: string): Dayjs {
  return dayjs(dayjs(instant).tz(zone).format(WALL));
}

/** `2026-03-08 10:00` in the browser's zone (seconds only when they are not zero). */
export function formatLocal(instant: string): string {
  const d = dayjs(instant);
  return d.format(d.second() === 0 ? 'YYYY-MM-DD HH:mm' : 'YYYY-MM-DD HH:mm:ss');
}

/** `2026-03-08 10:00:00` in the browser's zone, always with seconds: the exact time on hover. */
export function formatExact(instant: string): string {
  return dayjs(instant).format('YYYY-MM-DD HH:mm:ss');
}

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * `2026-03-08 03:00:00`, the wall time of `instant` in `zone`. One formatter per zone, kept:
 * dayjs's `tz()` formats twice per call, a quarter of a second for the list's 100 rows.
 */
export function wallTimeIn(instant: string, zone: string): string {
  let format = wallFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    wallFormats.set(zone, format);
  }
  const part: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const { type, value } of format.formatToParts(new Date(instant))) part[type] = value;
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second}`;
}

/** `03:00` (or `03-08 03:00` on another day) in `zone`, for showing beside a local time. */
export function formatInZone(instant: string, zone: string, relativeTo?: string): string {
  const wall = wallTimeIn(instant, zone);
  const sameDay = relativeTo ? wallTimeIn(relativeTo, browserTimeZone()).slice(0, 10) === wall.slice(0, 10) : true;
  return sameDay ? wall.slice(11, 16) : wall.slice(5, 16);
}

/** Whether `zone` shows the same wall time as the browser at `instant`. */
export function sameOffsetAsBrowser(instant: string, zone: string): boolean {
  return wallTimeIn(instant, zone) === wallTimeIn(instant, browserTimeZone());
}

/**
 * The wall time and offset of a preview occurrence's `local` field
 * (`2026-03-08T03:00:00-04:00[America/New_York]`), without re-deriving zone rules in JS.
 */
export function splitZonedLocal(local: string): { date: string; time: string; offset: string } {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?([+-]\d{2}:\d{2}(?::\d{2})?|Z)?/.exec(local);
  if (!match) return { date: local, time: '', offset: '' };
  const time = match[2].endsWith(':00') && match[2].length === 8 ? match[2].slice(0, 5) : match[2];
  return { date: match[1], time, offset: match[3] === 'Z' ? '+00:00' : (match[3] ?? '') };
}

/** "850 ms", "1.2 s", "3 min 4 s", "2 h 5 min": a run's duration at a glance. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${ms} ms`;
  // Rounded once, to a tenth of a second below a minute and to the second above, so no unit
  // reads 60.
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min ${total % 60} s`;
}
