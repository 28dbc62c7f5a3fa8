import { describe, expect, it } from 'vitest';
import { dayjs, formatDuration, formatInZone, instantToWall, sameOffsetAsBrowser, splitZonedLocal, wallTimeIn, wallToInstant } from './time';

describe('zone conversions', () => {
  it('reads wall times in a zone, across DST', () => {
    expect(wallToInstant(dayjs('2026-03-08T01:30:00'), 'America/New_York')).toBe('2026-03-08T06:30:00Z');
    expect(wallToInstant(dayjs('2026-03-08T03:30:00'), 'America/New_York')).toBe('2026-03-08T07:30:00Z');
    expect(wallToInstant(dayjs('2030-01-01T00:00:00'), 'UTC')).toBe('2030-01-01T00:00:00Z');
  });

  it('shows an instant as a wall time in a zone', () => {
    expect(instantToWall('2030-01-01T00:00:00Z', 'Asia/Shanghai').format('YYYY-MM-DD HH:mm')).toBe('2030-01-01 08:00');
    for (const zone of ['UTC', 'Asia/Shanghai', 'America/New_York', 'Australia/Lord_Howe']) {
      const instant = '2030-06-15T12:34:56Z';
      expect(wallToInstant(instantToWall(instant, zone), zone)).toBe(instant);
    }
  });

  it('reads an instant’s wall time in a zone, on both sides of a DST change', () => {
    expect(wallTimeIn('2026-03-29T00:59:59Z', 'Europe/Berlin')).toBe('2026-03-29 01:59:59');
    expect(wallTimeIn('2026-03-29T01:00:00Z', 'Europe/Berlin')).toBe('2026-03-29 03:00:00');
    expect(wallTimeIn('2026-03-28T16:00:00Z', 'Asia/Shanghai')).toBe('2026-03-29 00:00:00');
  });

  it('compares a zone with the browser’s (Europe/Berlin in these tests) and shows its time beside', () => {
    expect(sameOffsetAsBrowser('2026-07-01T10:00:00Z', 'Europe/Paris')).toBe(true);
    expect(sameOffsetAsBrowser('2026-03-29T01:30:00Z', 'Europe/London')).toBe(false);
    expect(formatInZone('2026-07-01T10:00:00Z', 'America/New_York', '2026-07-01T10:00:00Z')).toBe('06:00');
    expect(formatInZone('2026-07-01T16:00:00Z', 'Asia/Tokyo', '2026-07-01T16:00:00Z')).toBe('07-02 01:00');
  });

  it('splits the server’s zoned local time', () => {
    expect(splitZonedLocal('2026-03-08T03:00:00-04:00[America/New_York]')).toEqual({ date: '2026-03-08', time: '03:00', offset: '-04:00' });
    expect(splitZonedLocal('2026-03-08T03:00:30+08:00[Asia/Shanghai]')).toEqual({ date: '2026-03-08', time: '03:00:30', offset: '+08:00' });
  });
});

describe('formatDuration', () => {
  it('reads at a glance at every scale, no unit reaching 60', () => {
    expect(formatDuration(null)).toBe('');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(59_949)).toBe('59.9 s');
    expect(formatDuration(59_950)).toBe('1 min 0 s');
    expect(formatDuration(184_000)).toBe('3 min 4 s');
    expect(formatDuration(3_599_600)).toBe('1 h 0 min');
    expect(formatDuration(7_530_000)).toBe('2 h 5 min');
  });
});
