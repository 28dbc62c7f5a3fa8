import { request } from './http';
import { TASKS_API } from './tasks';
import type { Page, RunStatsOverTime, RunStatus, TaskRun } from './types';

/** Filters of `GET /runs`; instants are RFC 3339. */
export interface RunSearch {
  page?: number;
  page_size?: number;
  status?: RunStatus;
  task_uuid?: string;
  from?: string;
  to?: string;
}

export const runsApi = {
  /** Runs across the tenant's tasks, newest first. */
  search: (query: RunSearch, signal?: AbortSignal) =>
    request<Page<TaskRun>>(`${TASKS_API}/runs`, { query: { ...query }, signal }),
  /** Counts per state per bucket of `bucket` over `[from, to)`. */
  stats: (query: { from: string; to: string; bucket: string; task_uuid?: string }) =>
    request<RunStatsOverTime>(`${TASKS_API}/stats`, { query: { ...query } }),
};
