import { describe, expect, it } from 'vitest';
import type { RunBucket } from '../../../../services/types';
import { chartData } from './chartData';

const zero = { total: 0, queued: 0, running: 0, succeeded: 0, failed: 0, timed_out: 0, cancelled: 0, skipped: 0 };

function bucket(start: string, counts: Partial<typeof zero>, avg: number | null = null, max: number | null = null): RunBucket {
  const all = { ...zero, ...counts };
  all.total = Object.entries(all).reduce((sum, [k, v]) => (k === 'total' ? sum : sum + v), 0);
  return { start, counts: all, duration_avg_ms: avg, duration_max_ms: max };
}

describe('the Runs charts', () => {
  const hour = 3_600_000;
  const buckets = [
    bucket('2026-03-08T10:00:00Z', { succeeded: 3, failed: 1 }, 100, 400),
    bucket('2026-03-08T11:00:00Z', {}),
    bucket('2026-03-08T12:00:00Z', { succeeded: 1, timed_out: 1, skipped: 5 }, 1_000, 1_500),
  ];

  it('gives one value per bucket for each outcome and duration', () => {
    const data = chartData(buckets, hour);
    expect(data.labels).toHaveLength(3);
    expect(data.counts.succeeded).toEqual([3, 0, 1]);
    expect(data.counts.timed_out).toEqual([0, 0, 1]);
    expect(data.counts.skipped).toEqual([0, 0, 5]);
    expect(data.avg).toEqual([100, null, 1_000]);
    expect(data.max).toEqual([400, null, 1_500]);
  });

  it('sums the range: success rate over runs that ran, failures with timeouts, a weighted mean', () => {
    const data = chartData(buckets, hour);
    expect(data.total).toBe(11);
    // 4 succeeded of 6 that ran (skips never ran).
    expect(data.successRate).toBeCloseTo(4 / 6);
    expect(data.failed).toBe(2);
    // (100 * 4 + 1000 * 2) / 6
    expect(data.meanDuration).toBe(400);
  });

  it('has no rate or mean without runs that ran', () => {
    const data = chartData([bucket('2026-03-08T10:00:00Z', { skipped: 2 })], hour);
    expect([data.successRate, data.meanDuration, data.total]).toEqual([null, null, 2]);
  });

  it('labels days by date and hours by time', () => {
    expect(chartData([bucket('2026-03-08T00:00:00Z', {})], 86_400_000).labels[0]).toMatch(/^2026-03-0[78]$/);
    expect(chartData(buckets, hour).labels[0]).toMatch(/^\d\d:00$/);
  });
});
