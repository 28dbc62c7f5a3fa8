import type { RunOutcome, RunOutcomeFilter, RunStatus } from '../../../../services/types';

export const RUN_STATUSES: RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'];

/** How a task's latest run can have ended: its `last_run_outcome`. */
export const RUN_OUTCOMES: RunOutcome[] = ['succeeded', 'failed', 'timed_out', 'cancelled'];

/** The list's Last status filter: the outcomes and "Never run" (`none`: no run has ended). */
export const OUTCOME_FILTERS: RunOutcomeFilter[] = [...RUN_OUTCOMES, 'none'];

/** A run that may still change: its page keeps refreshing. */
export const isLive = (status: RunStatus) => status === 'queued' || status === 'running';

/**
 * The error to show for a run. A skipped run's `error` ("skipped: overlap") only repeats its
 * `skip_reason`, which is shown in the reader's words instead.
 */
export const shownError = (run: { status: RunStatus; error: string | null; skip_reason: string | null }) =>
  run.status === 'skipped' && run.skip_reason !== null ? null : run.error;
