import { request } from './http';
import type {
  DeletedTask,
  ListQuery,
  Page,
  PreviewRequest,
  PreviewResponse,
  ChainOn,
  Run,
  RunLogPage,
  RunStatus,
  Task,
  TaskChains,
  TaskPatch,
  TaskRequest,
  TaskStatus,
  TaskVersion,
  VersionDiff,
} from './types';

/** The original design's prefix for the task API. */
export const TASKS_API = '/api/tree-root/scheduled-tasks';

const path = (uuid: string, tail = '') => `${TASKS_API}/${encodeURIComponent(uuid)}${tail}`;

export const tasksApi = {
  list: (query: ListQuery, signal?: AbortSignal) =>
    request<Page<Task>>(`${TASKS_API}/list`, { query: { ...query }, signal }),
  get: (uuid: string) => request<Task>(path(uuid)),
  create: (task: TaskRequest) => request<Task>(`${TASKS_API}/`, { method: 'POST', body: task }),
  update: (uuid: string, patch: TaskPatch) => request<Task>(path(uuid), { method: 'PUT', body: patch }),
  remove: (uuid: string) => request<void>(path(uuid), { method: 'DELETE' }),
  batchDelete: (uuids: string[]) =>
    request<{ deleted: number }>(`${TASKS_API}/batch-delete`, { method: 'POST', body: { uuids } }),
  start: (uuid: string) => request<Task>(path(uuid, '/start'), { method: 'POST' }),
  /** Stop; with `cancelRunning` the runs in progress are cancelled too (else they finish). */
  stop: (uuid: string, cancelRunning = false) =>
    request<Task>(path(uuid, '/stop'), { method: 'POST', query: cancelRunning ? { cancel_running: true } : undefined }),
  /**
   * Run now: 202 with the queued run; `args` (a JSON object) replace the task's arguments for
   * this run only. Missing on servers without the engine (404/405).
   */
  runNow: (uuid: string, args?: Record<string, unknown>) =>
    request<Run>(path(uuid, '/run'), { method: 'POST', body: args === undefined ? undefined : { args } }),
  cancelRun: (runUuid: string) =>
    request<Run>(`${TASKS_API}/runs/${encodeURIComponent(runUuid)}/cancel`, { method: 'POST' }),
  status: (uuid: string) => request<TaskStatus>(path(uuid, '/status')),
  /** Runs newest first, without their logs. */
  runs: (uuid: string, query: { page?: number; page_size?: number; status?: RunStatus }) =>
    request<Page<Run>>(path(uuid, '/runs'), { query }),
  /** One run with its newest log lines (at most 200). */
  run: (runUuid: string) => request<Run>(`${TASKS_API}/runs/${encodeURIComponent(runUuid)}`),
  /** A page of one run's whole log: the lines after `after_seq` (0: from the start). */
  runLog: (runUuid: string, query: { after_seq: number; limit: number }) =>
    request<RunLogPage>(`${TASKS_API}/runs/${encodeURIComponent(runUuid)}/logs`, { query }),
  versions: (uuid: string, query: { page?: number; page_size?: number }) =>
    request<Page<TaskVersion>>(path(uuid, '/versions'), { query }),
  /** What changed between two versions, field by field (secrets masked). */
  versionDiff: (uuid: string, from: number, to: number) =>
    request<VersionDiff>(path(uuid, `/versions/${from}/diff/${to}`)),
  /** Makes a version's definition the current one, as a new version. */
  restoreVersion: (uuid: string, version: number) =>
    request<Task>(path(uuid, `/versions/${version}/restore`), { method: 'POST' }),
  /** The tenant's tasks deleted within the run-retention period, the most recently deleted first. */
  deleted: (query: { page?: number; page_size?: number }) =>
    request<Page<DeletedTask>>(`${TASKS_API}/deleted`, { query }),
  /** Makes a deleted task live again under its uuid and code, stopped. */
  restoreDeleted: (uuid: string) => request<Task>(path(uuid, '/restore'), { method: 'POST' }),
  /** The tasks a task's runs queue, and the tasks whose runs queue it. */
  chains: (uuid: string) => request<TaskChains>(path(uuid, '/chains')),
  /** Replaces the tasks a task's runs queue. */
  setChains: (uuid: string, children: { task_uuid: string; on: ChainOn }[]) =>
    request<TaskChains>(path(uuid, '/chains'), { method: 'PUT', body: { children } }),
  /** The chained runs a run queued, oldest first. */
  runChildren: (runUuid: string) =>
    request<{ items: Run[] }>(`${TASKS_API}/runs/${encodeURIComponent(runUuid)}/children`),
  preview: (body: PreviewRequest, signal?: AbortSignal) =>
    request<PreviewResponse>(`${TASKS_API}/preview`, { method: 'POST', body, signal }),
};
