// The create/edit form's values and their conversion to and from the API's task JSON. Pure
// functions, so the trigger logic is unit-tested without a browser.

import type { Dayjs } from 'dayjs';
import type { Lang } from '../../../../locales/lang';
import type {
  ApiCallConfig,
  Backoff,
  HttpMethod,
  JsonValue,
  MisfirePolicy,
  OverlapPolicy,
  PreviewRequest,
  PythonScriptConfig,
  Task,
  TaskPatch,
  TaskRequest,
  TaskType,
  TaskWork,
  Trigger,
  TriggerConfig,
  TriggerType,
  TriggerWindow,
} from '../../../../services/types';
import { type KeyValueRow, recordFromRows, rowsFromRecord } from '../../../../utils/headers';
import { instantToWall, wallToInstant } from '../../../../utils/time';
import {
  type IntervalUnit,
  intervalSeconds,
  isCron,
  isDate,
  isInterval,
  splitInterval,
} from '../../../../utils/trigger';

export interface TaskFormValues {
  name: string;
  code: string;
  description?: string;
  type: TaskType;
  is_active: boolean;

  trigger_type: TriggerType;
  cron?: string;
  /** The cron's zone; for the other types, the zone the date-times are entered in. */
  timezone: string;
  interval_value?: number | null;
  interval_unit: IntervalUnit;
  at?: Dayjs | null;
  start_at?: Dayjs | null;
  end_at?: Dayjs | null;
  jitter_seconds?: number | null;

  url?: string;
  method?: HttpMethod;
  headers?: KeyValueRow[];
  /** JSON text of the request body. */
  body?: string;
  /** Comma-separated status codes counted as success; empty means any 2xx. */
  expected_status?: string;
  follow_redirects?: boolean;

  script?: string;
  /** JSON text handed to the script. */
  args?: string;
  env?: KeyValueRow[];

  max_retries?: number | null;
  retry_delay_seconds?: number | null;
  backoff?: Backoff;
  max_delay_seconds?: number | null;
  timeout_seconds?: number | null;
  overlap_policy?: OverlapPolicy;
  misfire_policy?: MisfirePolicy;
  misfire_grace_seconds?: number | null;
}

const STARTER_COMMENTS: Record<Lang, [string, string, string, string]> = {
  'en-US': [
    `# Sundial passes the run's context as JSON in the SUNDIAL_CONTEXT environment variable
# (stdin is empty): tenant_id, task_uuid, run_uuid, scheduled_for, attempt and args.`,
    `# args: the arguments this run was started with ("Run with arguments…" in the console, or
# POST /{uuid}/run {"args": {...}}), else the task's "Arguments (JSON)", e.g. {"days": 7};
# null when there are none.`,
    `# Exit code 0 is success; an uncaught exception fails the attempt (retries follow).`,
    `# Optional: one JSON document written to file descriptor 3 becomes the run's result.`,
  ],
  'zh-CN': [
    `# Sundial 通过环境变量 SUNDIAL_CONTEXT 以 JSON 传入本次运行的上下文（stdin 为空）：
# tenant_id、task_uuid、run_uuid、scheduled_for、attempt 和 args。`,
    `# args：本次运行启动时带的参数（控制台的“带参数运行…”，或 POST /{uuid}/run {"args": {...}}），
# 否则为任务的“参数（JSON）”，例如 {"days": 7}；都没有时为 null。`,
    `# 退出码 0 表示成功；未捕获的异常使本次尝试失败（随后按策略重试）。`,
    `# 可选：写入文件描述符 3 的一个 JSON 文档会成为本次运行的结果。`,
  ],
};

/**
 * The script a new Python task starts with: it reads the run context where the sandbox puts
 * it (docs/sandbox.md) and shows how to use the task's arguments and return a result.
 */
export function starterScript(lang: Lang): string {
  const [context, args, exit, result] = STARTER_COMMENTS[lang];
  return `import json
import os

${context}
context = json.loads(os.environ["SUNDIAL_CONTEXT"])

${args}
args = context.get("args") if isinstance(context.get("args"), dict) else {}
days = args.get("days", 7)

${exit}
print(f"run {context['run_uuid']}, attempt {context['attempt']}: the last {days} days")

${result}
os.write(3, json.dumps({"days": days}).encode())
`;
}

/** A new task's values: a daily cron in the user's own zone, calling an HTTP endpoint. */
export function defaultValues(zone: string, lang: Lang = 'en-US'): TaskFormValues {
  return {
    name: '',
    code: '',
    type: 'api_call',
    is_active: true,
    trigger_type: 'cron',
    cron: '0 0 * * *',
    timezone: zone,
    interval_value: 5,
    interval_unit: 'minutes',
    url: 'https://',
    method: 'GET',
    headers: [],
    body: '',
    script: starterScript(lang),
    env: [],
    max_retries: 3,
    retry_delay_seconds: 60,
    backoff: 'fixed',
    overlap_policy: 'skip',
    misfire_policy: 'fire_once',
    misfire_grace_seconds: 60,
  };
}

const present = <T>(value: T | null | undefined): value is T => value !== null && value !== undefined;

function parseJsonText(text: string | undefined): JsonValue | undefined {
  if (!text || !text.trim()) return undefined;
  return JSON.parse(text) as JsonValue;
}

/** The error of a JSON text field, or null when it is empty or valid. */
export function jsonTextError(text: string | undefined): string | null {
  try {
    parseJsonText(text);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The expected status codes of an `api_call` as a list (the API takes one code or a list). */
export function expectedStatusList(config: Pick<ApiCallConfig, 'expected_status'>): number[] {
  const expected = config.expected_status;
  return expected === undefined || expected === null ? [] : [expected].flat();
}

export function parseExpectedStatus(text: string | undefined): number[] | undefined {
  const codes = (text ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  return codes.length ? codes : undefined;
}

/** The trigger part of the values as the API's `trigger_config`. */
export function buildTriggerConfig(values: TaskFormValues): TriggerConfig {
  const zone = values.timezone || 'UTC';
  const window: TriggerWindow = {};
  if (values.start_at) window.start_at = wallToInstant(values.start_at, zone);
  if (values.end_at) window.end_at = wallToInstant(values.end_at, zone);
  if (present(values.jitter_seconds) && values.jitter_seconds > 0) window.jitter_seconds = values.jitter_seconds;
  switch (values.trigger_type) {
    case 'cron':
      return { cron: (values.cron ?? '').trim(), timezone: zone, ...window };
    case 'interval':
      return {
        seconds: intervalSeconds(values.interval_value ?? 0, values.interval_unit),
        ...window,
      };
    case 'date':
      // An empty `at` goes out empty so that the server names the field that is missing.
      return { at: values.at ? wallToInstant(values.at, zone) : '', ...window };
  }
}

/** What `/preview` needs, or null while the trigger is too incomplete to ask about. */
export function previewRequest(values: Partial<TaskFormValues>, count = 5): PreviewRequest | null {
  if (!values.trigger_type) return null;
  if (values.trigger_type === 'cron' && !values.cron?.trim()) return null;
  if (values.trigger_type === 'interval' && !(values.interval_value && values.interval_value > 0)) return null;
  if (values.trigger_type === 'date' && !values.at) return null;
  const full = { interval_unit: 'seconds', timezone: 'UTC', ...values } as TaskFormValues;
  // buildTriggerConfig builds the shape `trigger_type` names.
  const trigger = { trigger_type: values.trigger_type, trigger_config: buildTriggerConfig(full) } as Trigger;
  return { ...trigger, count };
}

/** Keys of an existing task's config that the form does not edit; kept on save. */
function untouchedConfig(original: Task | undefined, type: TaskType): Partial<ApiCallConfig & PythonScriptConfig> {
  if (!original || original.type !== type) return {};
  const config = original.task_config as ApiCallConfig;
  return type === 'api_call' && config.query ? { query: config.query } : {};
}

export function buildTaskConfig(values: TaskFormValues, original?: Task): ApiCallConfig | PythonScriptConfig {
  if (values.type === 'python_script') {
    const config: PythonScriptConfig = { script: values.script ?? '' };
    const args = parseJsonText(values.args);
    if (args !== undefined) config.args = args;
    const env = recordFromRows(values.env);
    if (env) config.env = env;
    return { ...untouchedConfig(original, values.type), ...config };
  }
  const config: ApiCallConfig = { url: (values.url ?? '').trim(), method: values.method ?? 'GET' };
  const headers = recordFromRows(values.headers);
  if (headers) config.headers = headers;
  const data = parseJsonText(values.body);
  if (data !== undefined) config.data = data;
  const expected = parseExpectedStatus(values.expected_status);
  if (expected) config.expected_status = expected;
  if (values.follow_redirects) config.follow_redirects = true;
  return { ...untouchedConfig(original, values.type), ...config };
}

/**
 * The API request for the form's values. On edit, `original` keeps config keys the form does
 * not show, and `is_active` is left out: the list's switch owns it.
 */
export function toTaskRequest(values: TaskFormValues, original?: Task): TaskRequest {
  // The configs are built in the shapes `trigger_type` and `type` name.
  const trigger = { trigger_type: values.trigger_type, trigger_config: buildTriggerConfig(values) } as Trigger;
  const work = { type: values.type, task_config: buildTaskConfig(values, original) } as TaskWork;
  const request: TaskRequest = {
    name: values.name.trim(),
    code: values.code.trim(),
    description: values.description?.trim() ?? '',
    ...trigger,
    ...work,
    retry_policy: {
      max_retries: values.max_retries ?? 3,
      retry_delay_seconds: values.retry_delay_seconds ?? 60,
      backoff: values.backoff ?? 'fixed',
      ...(present(values.max_delay_seconds) ? { max_delay_seconds: values.max_delay_seconds } : {}),
    },
  };
  if (!original) request.is_active = values.is_active;
  if (present(values.timeout_seconds)) request.timeout_seconds = values.timeout_seconds;
  if (values.overlap_policy) request.overlap_policy = values.overlap_policy;
  if (values.misfire_policy) request.misfire_policy = values.misfire_policy;
  if (present(values.misfire_grace_seconds)) request.misfire_grace_seconds = values.misfire_grace_seconds;
  return request;
}

const jsonText = (value: JsonValue | undefined) => (value === undefined ? '' : JSON.stringify(value, null, 2));

/** The form's values for an existing task; the browser's zone is used for zone-less triggers. */
export function fromTask(task: Task, browserZone: string, lang: Lang = 'en-US'): TaskFormValues {
  const base = defaultValues(browserZone, lang);
  const config = task.trigger_config;
  const zone = isCron(task.trigger_type, config) ? (config.timezone ?? task.timezone) : browserZone;
  const wall = (instant: string | null | undefined) => (instant ? instantToWall(instant, zone) : null);
  const values: TaskFormValues = {
    ...base,
    name: task.name,
    code: task.code,
    description: task.description ?? '',
    type: task.type,
    is_active: task.is_active,
    trigger_type: task.trigger_type,
    timezone: zone,
    start_at: wall(config.start_at),
    end_at: wall(config.end_at),
    jitter_seconds: config.jitter_seconds ?? null,
    max_retries: task.retry_policy.max_retries,
    retry_delay_seconds: task.retry_policy.retry_delay_seconds,
    backoff: task.retry_policy.backoff,
    max_delay_seconds: task.retry_policy.max_delay_seconds ?? null,
    timeout_seconds: task.timeout_seconds,
    overlap_policy: task.overlap_policy,
    misfire_policy: task.misfire_policy,
    misfire_grace_seconds: task.misfire_grace_seconds,
  };
  if (isCron(task.trigger_type, config)) values.cron = config.cron;
  if (isInterval(task.trigger_type, config)) {
    const { value, unit } = splitInterval(config.seconds);
    values.interval_value = value;
    values.interval_unit = unit;
  }
  if (isDate(task.trigger_type, config)) values.at = wall(config.at);
  if (task.type === 'api_call') {
    const api = task.task_config as ApiCallConfig;
    values.url = api.url;
    values.method = api.method ?? 'GET';
    values.headers = rowsFromRecord(api.headers ?? undefined);
    values.body = jsonText(api.data as JsonValue | undefined);
    values.expected_status = expectedStatusList(api).join(', ');
    values.follow_redirects = api.follow_redirects ?? false;
  } else {
    const py = task.task_config as PythonScriptConfig;
    values.script = py.script;
    values.args = jsonText(py.args as JsonValue | undefined);
    values.env = rowsFromRecord(py.env ?? undefined);
  }
  return values;
}

/**
 * The `PUT` body for an edit. The trigger is sent only when the user changed it: pickers hold
 * whole seconds, and re-sending a trigger makes the server re-check it (a fired date trigger's
 * `at` is in the past), so an untouched trigger must stay exactly as stored.
 */
export function toTaskPatch(values: TaskFormValues, original: Task, browserZone: string): TaskPatch {
  const request: TaskPatch = { ...toTaskRequest(values, original), version: original.version };
  const baseline = fromTask(original, browserZone);
  const unchanged =
    values.trigger_type === original.trigger_type &&
    JSON.stringify(buildTriggerConfig(values)) === JSON.stringify(buildTriggerConfig(baseline));
  if (unchanged) {
    delete request.trigger_type;
    delete request.trigger_config;
  }
  return request;
}

/** A value the server masked (`••••`, `••••op`): the stored secret is not in it. */
export const isMaskedSecret = (value: string) => value.startsWith('••••');

/** Where a clone starts: the form's values, and what of the source it could not copy. */
export interface CloneStart {
  values: TaskFormValues;
  /** Headers whose secret value the server masked: emptied, to be entered again. */
  reenterHeaders: string[];
  /** Query parameters whose secret value the server masked: left out of the copy. */
  droppedQuery: string[];
  /** The source's other query parameters (the form does not edit them), copied as they are. */
  query?: ApiCallConfig['query'];
}

const CODE_MAX = 50;
const NAME_MAX = 100;

/**
 * A new task's form prefilled from `task`: a new code (`<code>-copy`), the name with `nameSuffix`,
 * stopped until the user chooses otherwise. Masked secrets cannot be copied (a new task has no
 * stored value behind a mask), so their headers come empty and their query parameters are left out.
 */
export function cloneStart(task: Task, browserZone: string, lang: Lang, nameSuffix: string): CloneStart {
  const values = fromTask(task, browserZone, lang);
  values.code = `${task.code.slice(0, CODE_MAX - '-copy'.length)}-copy`;
  values.name = `${task.name.slice(0, NAME_MAX - nameSuffix.length)}${nameSuffix}`;
  values.is_active = false;
  const reenterHeaders: string[] = [];
  values.headers = (values.headers ?? []).map((row) => {
    if (!isMaskedSecret(row.value)) return row;
    reenterHeaders.push(row.key);
    return { key: row.key, value: '' };
  });
  const droppedQuery: string[] = [];
  let query: CloneStart['query'];
  if (task.type === 'api_call') {
    const kept = Object.entries((task.task_config as ApiCallConfig).query ?? {}).filter(([name, value]) => {
      if (typeof value !== 'string' || !isMaskedSecret(value)) return true;
      droppedQuery.push(name);
      return false;
    });
    if (kept.length) query = Object.fromEntries(kept);
  }
  return { values, reenterHeaders, droppedQuery, query };
}

/** The create request of a clone: the form's values with the source's copied query parameters. */
export function toCloneRequest(values: TaskFormValues, start: Pick<CloneStart, 'query'>): TaskRequest {
  const request = toTaskRequest(values);
  if (start.query && request.type === 'api_call') request.task_config = { ...request.task_config, query: start.query };
  return request;
}
