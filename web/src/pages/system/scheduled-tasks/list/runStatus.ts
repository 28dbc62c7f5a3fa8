import type { RunStatus } from '../../../../services/types';

export const RUN_STATUSES: RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'skipped'];

/** A run that may still change: its page keeps refreshing. */
export const isLive = (status: RunStatus) => status === 'queued' || status === 'running';
