import type { LogLine, Run } from '../../../../services/types';

/** A run waiting for its next attempt after a failed one (queued again, attempt past the first). */
export const isRetrying = (run: Run): boolean => run.status === 'queued' && run.attempt > 1;

/**
 * When a retrying run's next attempt is due. The API has no field for it; the engine writes it
 * into the run's log as the failed attempt's last system line ("attempt 1 failed in 12 ms: …;
 * retrying at 2026-12-06T13:00:05.123456789Z"). The newest such line counts; its instant is cut
 * to milliseconds (JavaScript's precision). Null when the log does not say.
 */
export function nextAttemptAt(run: Run, lines: Pick<LogLine, 'line' | 'stream'>[]): string | null {
  if (!isRetrying(run)) return null;
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const { line, stream } = lines[i];
    if (stream !== 'system') continue;
    const found = /retrying at (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)\s*$/.exec(line);
    if (!found) continue;
    const fraction = found[2] ? found[2].slice(0, 4) : '';
    const instant = new Date(`${found[1]}${fraction}${found[3]}`);
    if (!Number.isNaN(instant.getTime())) return instant.toISOString();
  }
  return null;
}
