import { describe, expect, it } from 'vitest';
import type { Problem } from '../../../../services/types';
import { fieldErrorsFromProblem, formFieldFor } from './fieldErrors';

const problem = (errors: { field: string; message: string }[]): Problem => ({
  type: 'urn:sundial:problem:validation_failed',
  title: 'Invalid task',
  status: 422,
  detail: `${errors.length} field(s) are invalid.`,
  code: 'validation_failed',
  errors: errors.map((error) => ({ code: 'invalid', ...error })),
});

describe('formFieldFor', () => {
  it.each([
    ['name', 'name'],
    ['code', 'code'],
    ['trigger_config.cron', 'cron'],
    ['trigger_config.timezone', 'timezone'],
    ['trigger_config.seconds', 'interval_value'],
    ['trigger_config.at', 'at'],
    ['trigger_config.end_at', 'end_at'],
    ['task_config.url', 'url'],
    ['task_config.headers.X-Token', 'headers'],
    ['task_config.data', 'body'],
    ['task_config.script', 'script'],
    ['task_config.env.PATH', 'env'],
    ['task_config.timeout_seconds', 'timeout_seconds'],
    ['retry_policy.max_delay_seconds', 'max_delay_seconds'],
    ['misfire_grace_seconds', 'misfire_grace_seconds'],
  ])('%s → %s', (path, field) => {
    expect(formFieldFor(path)).toBe(field);
  });

  it.each(['', 'trigger_config', 'trigger_config.bogus', 'task_config', 'tenant_id', 'uuids'])('%s has no field', (path) => {
    expect(formFieldFor(path)).toBeNull();
  });
});

describe('fieldErrorsFromProblem', () => {
  it('puts each message under its field and keeps the rest', () => {
    const result = fieldErrorsFromProblem(
      problem([
        { field: 'trigger_config.cron', message: 'invalid minute field: 61 is out of range' },
        { field: 'task_config.url', message: 'is required' },
        { field: 'task_config.headers.host', message: 'may not be set' },
        { field: 'trigger_config.foo', message: 'unknown key for a cron trigger' },
      ]),
    );
    expect(result.fields).toEqual({
      cron: ['Invalid minute field: 61 is out of range'],
      url: ['Is required'],
      headers: ['host: May not be set'],
    });
    expect(result.unmatched).toEqual([{ field: 'trigger_config.foo', code: 'invalid', message: 'unknown key for a cron trigger' }]);
  });

  it('collects several messages for one field', () => {
    const result = fieldErrorsFromProblem(problem([
      { field: 'code', message: 'already exists' },
      { field: 'code', message: 'is too long' },
    ]));
    expect(result.fields.code).toEqual(['Already exists', 'Is too long']);
  });

  it('copes with a problem without errors', () => {
    expect(fieldErrorsFromProblem(null)).toEqual({ fields: {}, unmatched: [] });
    expect(fieldErrorsFromProblem({ ...problem([]), errors: undefined })).toEqual({ fields: {}, unmatched: [] });
  });
});
