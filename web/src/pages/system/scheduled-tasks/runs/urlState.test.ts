import { describe, expect, it } from 'vitest';
import { pickBucket, readRunsUrl, resolveRange, writeRunsUrl } from './urlState';

const UUID = '01930000-0000-7000-8000-000000000001';

describe('the Runs page in the address', () => {
  it('reads filters, range and page, ignoring what is invalid', () => {
    expect(readRunsUrl(`?view=runs&status=failed&task=${UUID}&range=7d&page=3&page_size=50`)).toEqual({
      status: 'failed',
      task: UUID,
      range: '7d',
      from: undefined,
      to: undefined,
      page: 3,
      pageSize: 50,
    });
    expect(readRunsUrl('?status=done&task=x&range=2y&page=0&page_size=7')).toEqual({
      status: undefined,
      task: undefined,
      range: '24h',
      from: undefined,
      to: undefined,
      page: 1,
      pageSize: 20,
    });
  });

  it('keeps a fixed range only when both ends parse and are in order', () => {
    const fixed = readRunsUrl('?from=2026-03-08T00:00:00Z&to=2026-03-09T00:00:00Z');
    expect([fixed.from, fixed.to]).toEqual(['2026-03-08T00:00:00.000Z', '2026-03-09T00:00:00.000Z']);
    const backwards = readRunsUrl('?from=2026-03-09T00:00:00Z&to=2026-03-08T00:00:00Z');
    expect([backwards.from, backwards.to]).toEqual([undefined, undefined]);
  });

  it('writes a view back to the same view, defaults left out', () => {
    const state = readRunsUrl(`?status=timed_out&task=${UUID}&from=2026-03-08T00:00:00Z&to=2026-03-09T00:00:00Z&page=2`);
    const written = writeRunsUrl(state);
    expect(written).toBe(
      `?view=runs&status=timed_out&task=${UUID}&from=2026-03-08T00%3A00%3A00.000Z&to=2026-03-09T00%3A00%3A00.000Z&page=2`,
    );
    expect(readRunsUrl(written)).toEqual(state);
    expect(writeRunsUrl(readRunsUrl(''))).toBe('?view=runs');
  });

  it('resolves a preset against now, from a bucket boundary, and a fixed range as it is', () => {
    const now = Date.parse('2026-03-08T12:00:00Z');
    expect(resolveRange(readRunsUrl('?range=1h'), now)).toEqual({
      from: '2026-03-08T11:00:00.000Z',
      to: '2026-03-08T12:00:00.000Z',
    });
    // 24 hours in hourly bars: from the start of the hour a day ago.
    expect(resolveRange(readRunsUrl(''), Date.parse('2026-03-08T12:34:56.789Z'))).toEqual({
      from: '2026-03-07T12:00:00.000Z',
      to: '2026-03-08T12:34:56.789Z',
    });
    expect(resolveRange(readRunsUrl('?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z'), now).from).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });

  it('picks the narrowest bucket that keeps a chart within 72 bars', () => {
    const hour = 3_600_000;
    expect(pickBucket(hour)).toBe('1m');
    expect(pickBucket(6 * hour)).toBe('5m');
    expect(pickBucket(24 * hour)).toBe('1h');
    expect(pickBucket(7 * 24 * hour)).toBe('6h');
    expect(pickBucket(30 * 24 * hour)).toBe('1d');
    expect(pickBucket(400 * 24 * hour)).toBe('1d');
  });
});
