/// <reference types="node" />
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { Task } from '../../../../services/types';
import { dayjs } from '../../../../utils/time';
import {
  buildTaskConfig,
  buildTriggerConfig,
  cloneStart,
  defaultValues,
  fromTask,
  jsonTextError,
  previewRequest,
  starterScript,
  type TaskFormValues,
  toTaskPatch,
  toCloneRequest,
  toTaskRequest,
} from './formModel';

const wall = (text: string) => dayjs(text);

function values(patch: Partial<TaskFormValues>): TaskFormValues {
  return { ...defaultValues('Asia/Shanghai'), name: 'Daily report', code: 'daily-report', ...patch };
}

function task(patch: Partial<Task>): Task {
  return {
    uuid: '01900000-0000-7000-8000-000000000001',
    tenant_id: 1,
    name: 'Daily report',
    code: 'daily-report',
    description: null,
    type: 'api_call',
    trigger_type: 'cron',
    trigger_config: { cron: '0 0 * * *', timezone: 'Asia/Shanghai' },
    task_config: { url: 'https://api.example.com/endpoint', method: 'POST', headers: { 'Content-Type': 'application/json' }, data: { key: 'value' } },
    timezone: 'Asia/Shanghai',
    dst_policy: 'fixed_time',
    inngest_function_id: 'scheduled-task-01900000-0000-7000-8000-000000000001',
    is_active: true,
    is_running: false,
    next_run_at: '2030-01-01T16:00:00Z',
    last_run_at: null,
    last_run_status: null,
    last_run_outcome: null,
    last_error: null,
    last_run_duration_ms: null,
    recent_outcomes: [],
    retry_policy: { max_retries: 3, retry_delay_seconds: 60, backoff: 'fixed' },
    timeout_seconds: 30,
    overlap_policy: 'skip',
    misfire_policy: 'fire_once',
    misfire_grace_seconds: 60,
    version: 4,
    created_at: '2029-12-31T00:00:00Z',
    updated_at: '2029-12-31T00:00:00Z',
    created_by: 'cli',
    updated_by: 'cli',
    schedule_notice: null,
    ...patch,
  };
}

describe('buildTriggerConfig', () => {
  it('builds a cron config in the chosen zone', () => {
    expect(buildTriggerConfig(values({ trigger_type: 'cron', cron: ' 0 0 * * * ', timezone: 'Asia/Shanghai' }))).toEqual({
      cron: '0 0 * * *',
      timezone: 'Asia/Shanghai',
    });
  });

  it('turns interval units into seconds', () => {
    expect(buildTriggerConfig(values({ trigger_type: 'interval', interval_value: 5, interval_unit: 'minutes' }))).toEqual({ seconds: 300 });
    expect(buildTriggerConfig(values({ trigger_type: 'interval', interval_value: 2, interval_unit: 'hours' }))).toEqual({ seconds: 7200 });
  });

  it('reads a date-time as wall time in the chosen zone and sends UTC', () => {
    const config = buildTriggerConfig(values({ trigger_type: 'date', at: wall('2030-01-01T08:00:00'), timezone: 'Asia/Shanghai' }));
    expect(config).toEqual({ at: '2030-01-01T00:00:00Z' });
    const ny = buildTriggerConfig(values({ trigger_type: 'date', at: wall('2030-07-01T08:00:00'), timezone: 'America/New_York' }));
    expect(ny).toEqual({ at: '2030-07-01T12:00:00Z' });
  });

  it('sends an empty date so the server names the missing field', () => {
    expect(buildTriggerConfig(values({ trigger_type: 'date', at: null }))).toEqual({ at: '' });
  });

  it('adds the window and jitter only when set', () => {
    const config = buildTriggerConfig(
      values({
        trigger_type: 'cron',
        cron: '0 0 * * *',
        timezone: 'UTC',
        start_at: wall('2030-01-01T00:00:00'),
        end_at: wall('2031-01-01T00:00:00'),
        jitter_seconds: 30,
      }),
    );
    expect(config).toEqual({
      cron: '0 0 * * *',
      timezone: 'UTC',
      start_at: '2030-01-01T00:00:00Z',
      end_at: '2031-01-01T00:00:00Z',
      jitter_seconds: 30,
    });
    expect(buildTriggerConfig(values({ trigger_type: 'interval', interval_value: 1, interval_unit: 'seconds', jitter_seconds: 0 }))).toEqual({ seconds: 1 });
  });
});

describe('previewRequest', () => {
  it('waits for a complete trigger', () => {
    expect(previewRequest({ trigger_type: 'cron', cron: '  ' })).toBeNull();
    expect(previewRequest({ trigger_type: 'interval', interval_value: 0 })).toBeNull();
    expect(previewRequest({ trigger_type: 'date', at: null })).toBeNull();
    expect(previewRequest({})).toBeNull();
  });

  it('asks for five instants by default', () => {
    expect(previewRequest({ trigger_type: 'cron', cron: '0 0 * * *', timezone: 'Europe/Berlin' })).toEqual({
      trigger_type: 'cron',
      trigger_config: { cron: '0 0 * * *', timezone: 'Europe/Berlin' },
      count: 5,
    });
    expect(previewRequest({ trigger_type: 'interval', interval_value: 90 })).toEqual({
      trigger_type: 'interval',
      trigger_config: { seconds: 90 },
      count: 5,
    });
  });
});

describe('task config', () => {
  it('builds an api_call with headers and a JSON body', () => {
    const config = buildTaskConfig(
      values({
        type: 'api_call',
        url: ' https://api.example.com/x ',
        method: 'POST',
        headers: [
          { key: 'Authorization', value: 'Bearer s3cret' },
          { key: ' ', value: 'dropped' },
        ],
        body: '{"key": "value"}',
        expected_status: '200, 204',
        follow_redirects: true,
      }),
    );
    expect(config).toEqual({
      url: 'https://api.example.com/x',
      method: 'POST',
      headers: { Authorization: 'Bearer s3cret' },
      data: { key: 'value' },
      expected_status: [200, 204],
      follow_redirects: true,
    });
  });

  it('builds a python_script with args and env', () => {
    expect(buildTaskConfig(values({ type: 'python_script', script: 'print(1)', args: '[1, 2]', env: [{ key: 'MODE', value: 'x' }] }))).toEqual({
      script: 'print(1)',
      args: [1, 2],
      env: { MODE: 'x' },
    });
  });

  it('validates JSON text', () => {
    expect(jsonTextError('')).toBeNull();
    expect(jsonTextError('{"a": 1}')).toBeNull();
    expect(jsonTextError('{a: 1}')).toMatch(/JSON/);
  });
});

describe('toTaskRequest / fromTask', () => {
  it('sends the whole definition on create, with is_active', () => {
    const request = toTaskRequest(values({ trigger_type: 'cron', cron: '0 0 * * *', url: 'https://x.test/', timeout_seconds: null }));
    expect(request).toMatchObject({
      name: 'Daily report',
      code: 'daily-report',
      type: 'api_call',
      trigger_type: 'cron',
      trigger_config: { cron: '0 0 * * *', timezone: 'Asia/Shanghai' },
      task_config: { url: 'https://x.test/', method: 'GET' },
      is_active: true,
      retry_policy: { max_retries: 3, retry_delay_seconds: 60, backoff: 'fixed' },
      overlap_policy: 'skip',
      misfire_policy: 'fire_once',
      misfire_grace_seconds: 60,
    });
    expect(request).not.toHaveProperty('timeout_seconds');
  });

  it('round-trips a cron task through the form', () => {
    const original = task({});
    const request = toTaskRequest(fromTask(original, 'Europe/Berlin'), original);
    expect(request.trigger_config).toEqual(original.trigger_config);
    expect(request.task_config).toEqual(original.task_config);
    expect(request).not.toHaveProperty('is_active');
  });

  it('round-trips interval and date tasks', () => {
    const interval = task({ trigger_type: 'interval', trigger_config: { seconds: 300, start_at: '2030-01-01T00:00:00Z' }, timezone: 'UTC' });
    const formValues = fromTask(interval, 'Europe/Berlin');
    expect(formValues).toMatchObject({ interval_value: 5, interval_unit: 'minutes', timezone: 'Europe/Berlin' });
    expect(buildTriggerConfig(formValues)).toEqual(interval.trigger_config);

    const date = task({ trigger_type: 'date', trigger_config: { at: '2030-05-01T06:30:00Z' }, timezone: 'UTC' });
    expect(buildTriggerConfig(fromTask(date, 'Asia/Shanghai'))).toEqual(date.trigger_config);
  });

  it('keeps config keys the form does not edit', () => {
    const original = task({ task_config: { url: 'https://x.test/', method: 'GET', query: { a: '1' } } });
    expect(toTaskRequest(fromTask(original, 'UTC'), original).task_config).toEqual({ url: 'https://x.test/', method: 'GET', query: { a: '1' } });
  });

  it('omits an untouched trigger from an edit and sends the version', () => {
    // A fired date trigger's `at` is in the past; re-sending it would be rejected.
    const original = task({ trigger_type: 'date', trigger_config: { at: '2020-01-01T00:00:00.123456Z' }, timezone: 'UTC' });
    const edited = { ...fromTask(original, 'Asia/Shanghai'), name: 'Renamed' };
    const patch = toTaskPatch(edited, original, 'Asia/Shanghai');
    expect(patch).toMatchObject({ name: 'Renamed', version: 4 });
    expect(patch).not.toHaveProperty('trigger_config');
    expect(patch).not.toHaveProperty('trigger_type');
  });

  it('sends a changed trigger', () => {
    const original = task({});
    const patch = toTaskPatch({ ...fromTask(original, 'UTC'), cron: '*/5 * * * *' }, original, 'UTC');
    expect(patch.trigger_type).toBe('cron');
    expect(patch.trigger_config).toEqual({ cron: '*/5 * * * *', timezone: 'Asia/Shanghai' });
    const switched = toTaskPatch({ ...fromTask(original, 'UTC'), trigger_type: 'interval', interval_value: 10, interval_unit: 'seconds' }, original, 'UTC');
    expect(switched.trigger_config).toEqual({ seconds: 10 });
  });
});

/** Runs a script as the sandbox does: `python3 -I`, stdin empty, the context in the environment. */
function runPython(script: string, context: object) {
  const result = spawnSync('python3', ['-I', '-c', script], {
    env: { PATH: '/usr/bin:/bin', SUNDIAL_CONTEXT: JSON.stringify(context) },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  return { status: result.status, stdout: String(result.output[1]), stderr: String(result.output[2]), fd3: String(result.output[3]) };
}

describe('starterScript', () => {
  const context = { tenant_id: 1, task_uuid: 't', run_uuid: 'r-1', scheduled_for: '2026-01-01T00:00:00Z', attempt: 1 };

  it.each(['en-US', 'zh-CN'] as const)('runs in %s with and without arguments, reading SUNDIAL_CONTEXT', (lang) => {
    const withArgs = runPython(starterScript(lang), { ...context, args: { days: 3 } });
    expect(withArgs).toMatchObject({ status: 0, stdout: 'run r-1, attempt 1: the last 3 days\n', fd3: '{"days": 3}' });
    const without = runPython(starterScript(lang), { ...context, args: null });
    expect(without).toMatchObject({ status: 0, stdout: 'run r-1, attempt 1: the last 7 days\n' });
  });

  it('differs between languages only in its comments', () => {
    const code = (script: string) => script.split('\n').filter((line) => !line.startsWith('#'));
    expect(code(starterScript('zh-CN'))).toEqual(code(starterScript('en-US')));
    expect(starterScript('zh-CN')).not.toEqual(starterScript('en-US'));
  });

  it('is what a new task starts with, in the form’s language', () => {
    expect(defaultValues('UTC', 'zh-CN').script).toBe(starterScript('zh-CN'));
    expect(defaultValues('UTC').script).toBe(starterScript('en-US'));
  });
});

describe('cloneStart', () => {
  const source = task({
    code: 'a'.repeat(50),
    task_config: {
      url: 'https://api.example.com/endpoint',
      method: 'POST',
      headers: { Authorization: '••••op', 'X-Api-Key': '••••', Accept: 'application/json' },
      query: { region: 'eu', access_token: '••••ab' },
    },
  });

  it('gives a new code within 50 characters, the name with the suffix, stopped', () => {
    const { values } = cloneStart(source, 'UTC', 'en-US', ' (copy)');
    expect(values.code).toBe(`${'a'.repeat(45)}-copy`);
    expect(values.name).toBe('Daily report (copy)');
    expect(values.is_active).toBe(false);
    expect(values.cron).toBe('0 0 * * *');
    expect(values.timezone).toBe('Asia/Shanghai');
  });

  it('empties masked header values and leaves masked query parameters out, naming both', () => {
    const start = cloneStart(source, 'UTC', 'en-US', ' (copy)');
    expect(start.values.headers).toEqual([
      { key: 'Authorization', value: '' },
      { key: 'X-Api-Key', value: '' },
      { key: 'Accept', value: 'application/json' },
    ]);
    expect(start.reenterHeaders).toEqual(['Authorization', 'X-Api-Key']);
    expect(start.droppedQuery).toEqual(['access_token']);
    const request = toCloneRequest(
      { ...start.values, headers: [{ key: 'Authorization', value: 'Bearer new' }, { key: 'Accept', value: 'application/json' }] },
      start,
    );
    expect(request.task_config).toEqual({
      url: 'https://api.example.com/endpoint',
      method: 'POST',
      headers: { Authorization: 'Bearer new', Accept: 'application/json' },
      data: undefined,
      query: { region: 'eu' },
    });
    expect(request.is_active).toBe(false);
    expect(JSON.stringify(request)).not.toContain('••••');
  });
});
