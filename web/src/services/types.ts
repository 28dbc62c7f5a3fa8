// The JSON shapes of Sundial's REST API (crates/api/src/dto.rs). Kept by hand: the API is
// small, and a mismatch shows up in the e2e tests against the real binary.

export type TaskType = 'api_call' | 'python_script';
export type TriggerType = 'cron' | 'interval' | 'date';
export type RunStatus =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  | 'cancelled'
  | 'skipped';
export type Backoff = 'fixed' | 'exponential';
export type OverlapPolicy = 'skip' | 'allow' | 'queue_one' | 'replace';
export type MisfirePolicy = 'fire_once' | 'skip' | 'fire_all';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** Keys every trigger type accepts besides its own. */
export interface TriggerWindow {
  start_at?: string;
  end_at?: string;
  jitter_seconds?: number;
}
export interface CronTriggerConfig extends TriggerWindow {
  cron: string;
  timezone?: string;
}
export interface IntervalTriggerConfig extends TriggerWindow {
  seconds: number;
}
export interface DateTriggerConfig extends TriggerWindow {
  at: string;
}
export type TriggerConfig = CronTriggerConfig | IntervalTriggerConfig | DateTriggerConfig;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ApiCallConfig {
  url: string;
  method?: HttpMethod;
  headers?: Record<string, string>;
  data?: JsonValue;
  query?: Record<string, string>;
  expected_status?: number[];
  follow_redirects?: boolean;
  timeout_seconds?: number;
}
export interface PythonScriptConfig {
  script: string;
  args?: JsonValue;
  env?: Record<string, string>;
  timeout_seconds?: number;
}
export type TaskConfig = ApiCallConfig | PythonScriptConfig;

export interface RetryPolicy {
  max_retries: number;
  retry_delay_seconds: number;
  backoff: Backoff;
  max_delay_seconds?: number | null;
}

/** `POST /` body; only name, code, type, trigger_type, trigger_config, task_config required. */
export interface TaskRequest {
  name: string;
  code: string;
  description?: string;
  type: TaskType;
  trigger_type: TriggerType;
  trigger_config: TriggerConfig;
  task_config: TaskConfig;
  is_active?: boolean;
  retry_policy?: RetryPolicy;
  timeout_seconds?: number;
  overlap_policy?: OverlapPolicy;
  misfire_policy?: MisfirePolicy;
  misfire_grace_seconds?: number;
}

/** `PUT /{uuid}` body: the given fields replace the stored ones; `version` guards the write. */
export type TaskPatch = Partial<TaskRequest> & { version?: number };

export interface Task {
  uuid: string;
  tenant_id: number;
  name: string;
  code: string;
  description: string | null;
  type: TaskType;
  trigger_type: TriggerType;
  trigger_config: TriggerConfig;
  task_config: TaskConfig;
  timezone: string;
  inngest_function_id: string;
  is_active: boolean;
  is_running: boolean;
  next_run_at: string | null;
  last_run_at: string | null;
  last_run_status: RunStatus | null;
  last_error: string | null;
  retry_policy: RetryPolicy;
  timeout_seconds: number;
  overlap_policy: OverlapPolicy;
  misfire_policy: MisfirePolicy;
  misfire_grace_seconds: number;
  version: number;
  created_at: string;
  updated_at: string;
  created_by: string;
  updated_by: string;
  /** Set when the schedule changed without an edit (found at the service's start); the next save clears it. */
  schedule_notice: ScheduleNotice | null;
}

export type ScheduleNoticeReason = 'cron_rules_changed' | 'out_of_bounds';

/** Why a task's schedule changed without an edit by its owner, with both next occurrences. */
export interface ScheduleNotice {
  reason: ScheduleNoticeReason;
  /** The server's explanation (English), naming the expression or the values out of bounds. */
  message: string;
  previous_next_run_at: string | null;
  next_run_at: string | null;
  noticed_at: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

export type LogStream = 'stdout' | 'stderr' | 'system';
export interface LogLine {
  attempt: number;
  seq: number;
  ts: string;
  stream: LogStream;
  line: string;
}

export interface Run {
  uuid: string;
  task_uuid: string;
  task_version: number;
  trigger: 'schedule' | 'manual' | 'catch_up';
  scheduled_for: string;
  occurrences: number;
  status: RunStatus;
  skip_reason: string | null;
  attempt: number;
  max_attempts: number;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  result: JsonValue | null;
  error: string | null;
  logs?: LogLine[];
}

export interface RunStats {
  total: number;
  queued: number;
  running: number;
  succeeded: number;
  failed: number;
  timed_out: number;
  cancelled: number;
  skipped: number;
}

export interface TaskStatus {
  is_active: boolean;
  is_running: boolean;
  next_run_at: string | null;
  last_run_at: string | null;
  last_run_status: RunStatus | null;
  last_error: string | null;
  current_run: Run | null;
  latest_run: Run | null;
  stats: RunStats;
}

export interface TaskVersion {
  version: number;
  action: 'create' | 'update' | 'start' | 'stop' | 'delete' | string;
  actor: string;
  at: string;
  definition: Record<string, JsonValue>;
}

export interface PreviewRequest {
  trigger_type: TriggerType;
  trigger_config: TriggerConfig;
  count?: number;
  from?: string;
}
export interface Occurrence {
  at: string;
  local: string;
  utc_offset: string;
  dst_transition_day: boolean;
}
export interface PreviewResponse {
  timezone: string;
  occurrences: Occurrence[];
}

/** RFC 9457 problem+json with Sundial's stable `code` and, for validation, the fields. */
export interface ProblemField {
  field: string;
  message: string;
}
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: ProblemField[];
}

export interface ListQuery {
  page?: number;
  page_size?: number;
  keyword?: string;
  type?: TaskType;
  trigger_type?: TriggerType;
  is_active?: boolean;
  last_run_status?: RunStatus;
  sort?: string;
}
