import { describe, expect, it } from 'vitest';
import type { Run } from '../../../../services/types';
import { isRetrying, nextAttemptAt } from './retry';

const run = (over: Partial<Run>): Run => ({ status: 'queued', attempt: 2, max_attempts: 4, ...over }) as Run;
const system = (line: string) => ({ stream: 'system' as const, line });

describe('nextAttemptAt', () => {
  it('reads the newest "retrying at" system line, cut to milliseconds', () => {
    const lines = [
      system('attempt 1 failed in 12 ms: exit 1; retrying at 2026-12-06T13:00:05.123456789Z'),
      { stream: 'stderr' as const, line: 'Traceback … retrying at 1999-01-01T00:00:00Z' },
    ];
    expect(nextAttemptAt(run({}), lines)).toBe('2026-12-06T13:00:05.123Z');
    const later = [...lines, system('attempt 2 failed in 9 ms: exit 1; retrying at 2026-12-06T13:02:05Z')];
    expect(nextAttemptAt(run({ attempt: 3 }), later)).toBe('2026-12-06T13:02:05.000Z');
  });

  it('says nothing for a run that is not waiting for a retry, or a log that does not say', () => {
    const lines = [system('attempt 1 failed in 12 ms: exit 1; retrying at 2026-12-06T13:00:05Z')];
    expect(nextAttemptAt(run({ attempt: 1 }), lines)).toBeNull();
    expect(nextAttemptAt(run({ status: 'running' }), lines)).toBeNull();
    expect(nextAttemptAt(run({}), [system('attempt 1 failed in 12 ms: exit 1')])).toBeNull();
    expect(isRetrying(run({}))).toBe(true);
  });
});
