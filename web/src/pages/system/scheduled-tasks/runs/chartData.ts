import dayjs from 'dayjs';
import type { RunBucket, RunStatus } from '../../../../services/types';

/** The outcomes a chart stacks, in stacking order, with their colours (antd's palette). */
export const CHART_STATUSES: { status: RunStatus; color: string }[] = [
  { status: 'succeeded', color: '#52c41a' },
  { status: 'failed', color: '#ff4d4f' },
  { status: 'timed_out', color: '#faad14' },
  { status: 'cancelled', color: '#8c8c8c' },
  { status: 'skipped', color: '#d9d9d9' },
  { status: 'running', color: '#1677ff' },
  { status: 'queued', color: '#91caff' },
];

export interface ChartData {
  /** One label per bucket, in the reader's zone. */
  labels: string[];
  /** Per outcome, one count per bucket. */
  counts: Record<RunStatus, number[]>;
  /** Mean and longest duration per bucket (null where no run ran). */
  avg: (number | null)[];
  max: (number | null)[];
  /** Over the whole range. */
  total: number;
  /** Succeeded among the ended runs that ran (succeeded, failed, timed out), 0-1; null if none. */
  successRate: number | null;
  failed: number;
  /** Mean duration over the range, weighting each bucket by its runs that ran. */
  meanDuration: number | null;
}

/** Labels short enough for an axis: the time alone within a day, the date alone for days. */
function label(start: string, bucketMs: number, spanMs: number): string {
  const at = dayjs(start);
  if (bucketMs >= 86_400_000) return at.format('YYYY-MM-DD');
  return at.format(spanMs > 86_400_000 ? 'MM-DD HH:mm' : 'HH:mm');
}

/** The series the charts draw from `/stats` buckets of `bucketMs`. */
export function chartData(buckets: RunBucket[], bucketMs: number): ChartData {
  const spanMs = buckets.length * bucketMs;
  const counts = Object.fromEntries(CHART_STATUSES.map(({ status }) => [status, buckets.map((b) => b.counts[status])])) as Record<
    RunStatus,
    number[]
  >;
  let durationSum = 0;
  let durations = 0;
  let succeeded = 0;
  let failed = 0;
  for (const b of buckets) {
    succeeded += b.counts.succeeded;
    failed += b.counts.failed + b.counts.timed_out;
    // Runs with a duration in this bucket: every ended attempt that ran.
    const withDuration = b.counts.succeeded + b.counts.failed + b.counts.timed_out + b.counts.cancelled;
    if (b.duration_avg_ms !== null && withDuration > 0) {
      durationSum += b.duration_avg_ms * withDuration;
      durations += withDuration;
    }
  }
  const ran = succeeded + failed;
  return {
    labels: buckets.map((b) => label(b.start, bucketMs, spanMs)),
    counts,
    avg: buckets.map((b) => b.duration_avg_ms),
    max: buckets.map((b) => b.duration_max_ms),
    total: buckets.reduce((sum, b) => sum + b.counts.total, 0),
    successRate: ran > 0 ? succeeded / ran : null,
    failed,
    meanDuration: durations > 0 ? Math.round(durationSum / durations) : null,
  };
}
