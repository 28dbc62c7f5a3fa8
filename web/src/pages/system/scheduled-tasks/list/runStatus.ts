import type { RunOutcome, RunStatus } from '../../../../services/types';

export const RUN_STATUSES: RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'];

/** How a task's latest run can have ended: its `last_run_outcome`, and the list's filter by it. */
export const RUN_OUTCOMES: RunOutcome[] = ['succeeded', 'failed', 'timed_out', 'cancelled'];

/** A run that may still change: its page keeps refreshing. */
export const isLive = (status: RunStatus) => status === 'queued' || status === 'running';
