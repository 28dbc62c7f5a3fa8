// The console's names for the JSON shapes of Sundial's REST API. Every shape comes from
// api.gen.ts, which is generated from the server's OpenAPI document (npm run api-types); none
// is written by hand here.
import type { components, operations } from './api.gen';

type Schemas = components['schemas'];

export type TaskType = Schemas['TaskType'];
export type TriggerType = Schemas['TriggerType'];
export type RunStatus = Schemas['RunStatus'];
/** How a task's latest run ended, in detail (`last_run_outcome`); `last_run_status` says it in the design's words. */
export type RunOutcome = Schemas['RunOutcome'];
/** The list's Last status filter: an outcome, or `none` for a task none of whose runs has ended. */
export type RunOutcomeFilter = Schemas['RunOutcomeFilter'];
export type Backoff = Schemas['Backoff'];
export type OverlapPolicy = Schemas['OverlapPolicy'];
export type MisfirePolicy = Schemas['MisfirePolicy'];
export type HttpMethod = Schemas['HttpMethod'];

export type CronTriggerConfig = Schemas['CronTriggerConfig'];
export type IntervalTriggerConfig = Schemas['IntervalTriggerConfig'];
export type DateTriggerConfig = Schemas['DateTriggerConfig'];
export type TriggerConfig = Schemas['TriggerConfig'];
/** `trigger_type` with the `trigger_config` of that type. */
export type Trigger = Schemas['Trigger'];
/** `type` with the `task_config` of that type. */
export type TaskWork = Schemas['TaskWork'];
/** Keys every trigger type accepts besides its own. */
export type TriggerWindow = Pick<CronTriggerConfig, 'start_at' | 'end_at' | 'jitter_seconds'>;

/** Any JSON value: an `api_call` body, script args, a run's result. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type ApiCallConfig = Schemas['ApiCallConfig'];
export type PythonScriptConfig = Schemas['PythonScriptConfig'];
export type TaskConfig = Schemas['TaskConfig'];
export type RetryPolicy = Schemas['RetryPolicy'];

/** `POST /` body: `trigger_config` and `task_config` of the shapes `trigger_type` and `type` name. */
export type TaskRequest = Schemas['TaskRequest'];
/** `PUT /{uuid}` body: the given fields replace the stored ones; `version` guards the write. */
export type TaskPatch = Schemas['TaskPatch'];
export type Task = Schemas['TaskResponse'];
/** A deleted task as it was deleted, with `deleted_at` and `deleted_by` (`GET /deleted`). */
export type DeletedTask = Schemas['DeletedTaskResponse'];
export type ScheduleNotice = Schemas['ScheduleNoticeResponse'];
export type ScheduleNoticeReason = Schemas['ScheduleNoticeReason'];

/** One page of a list of `T`. */
export type Page<T> = Omit<Schemas['PageResponse_TaskResponse'], 'items'> & { items: T[] };

export type LogStream = Schemas['LogStream'];
export type LogLine = Schemas['LogLineResponse'];
export type Run = Schemas['RunResponse'];
/** A task's chains both ways (`GET /{uuid}/chains`). */
export type TaskChains = Schemas['ChainsResponse'];
export type ChainedTask = Schemas['ChainedTaskResponse'];
/** Which outcomes of a parent's runs queue the child. */
export type ChainOn = 'success' | 'failure' | 'completion';
/** A page of one run's whole log (`GET /runs/{run_uuid}/logs`). */
export type RunLogPage = Schemas['RunLogPageResponse'];
export type RunStats = Schemas['RunStatsResponse'];
export type TaskStatus = Schemas['StatusResponse'];
export type TaskVersion = Schemas['VersionResponse'];
/** What changed between two versions (`GET /{uuid}/versions/{from}/diff/{to}`). */
export type VersionDiff = Schemas['VersionDiffResponse'];
export type FieldChange = Schemas['FieldChange'];

export type PreviewRequest = Schemas['PreviewRequest'];
export type Occurrence = Schemas['Occurrence'];
export type PreviewResponse = Schemas['PreviewResponse'];

/** RFC 9457 problem+json with Sundial's stable `code` and, for validation, the fields. */
export type Problem = Schemas['Problem'];
export type ProblemField = Schemas['ProblemField'];

/** The query of `GET /list`. */
export type ListQuery = NonNullable<operations['list_tasks']['parameters']['query']>;

/** A run with its task's code and name (`GET /runs`). */
export type TaskRun = Schemas['TaskRunResponse'];
/** Run counts per state per time bucket (`GET /stats`). */
export type RunStatsOverTime = Schemas['RunStatsOverTimeResponse'];
export type RunBucket = Schemas['RunBucketResponse'];
