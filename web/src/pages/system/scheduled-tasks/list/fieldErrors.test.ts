import { describe, expect, it } from 'vitest';
import { translator } from '../../../../locales/translator';
import type { Problem, ProblemField } from '../../../../services/types';
import { fieldErrorsFromProblem, formFieldFor } from './fieldErrors';

const problem = (errors: Omit<ProblemField, 'code'>[] & { code?: ProblemField['code'] }[]): Problem => ({
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
  it('puts each translated message under its field and keeps the rest', () => {
    const result = fieldErrorsFromProblem(
      problem([
        { field: 'trigger_config.cron', code: 'invalid_cron', message: 'invalid minute field: 61 is out of range' },
        { field: 'task_config.url', code: 'required', message: 'is required' },
        { field: 'task_config.headers.host', code: 'reserved', message: 'may not be set' },
        { field: 'trigger_config.foo', code: 'unknown_field', message: 'unknown key for a cron trigger' },
      ]),
      translator('en-US'),
    );
    expect(result.fields).toEqual({
      cron: ['Not a valid cron expression (invalid minute field: 61 is out of range)'],
      url: ['Required'],
      headers: ['host: This name is reserved by Sundial (may not be set)'],
    });
    expect(result.unmatched).toEqual([{ field: 'trigger_config.foo', code: 'unknown_field', message: 'unknown key for a cron trigger' }]);
  });

  it('says one thing per problem: a field judged twice with one code shows one message', () => {
    const result = fieldErrorsFromProblem(
      problem([
        { field: 'trigger_config.cron', code: 'invalid_cron', message: 'invalid minute field: 61 is out of range' },
        { field: 'trigger_config.cron', code: 'invalid_cron', message: 'cron never matches' },
        { field: 'code', code: 'duplicate_code', message: 'already exists' },
        { field: 'code', code: 'too_long', max: 50, message: 'must be at most 50 characters' },
      ]),
      translator('zh-CN'),
    );
    expect(result.fields.cron).toEqual(['不是有效的 cron 表达式（invalid minute field: 61 is out of range）']);
    expect(result.fields.code).toEqual(['本租户已有任务使用此编码', '最多 50 个字符']);
  });

  it('copes with a problem without errors', () => {
    const t = translator('en-US');
    expect(fieldErrorsFromProblem(null, t)).toEqual({ fields: {}, unmatched: [] });
    expect(fieldErrorsFromProblem({ ...problem([]), errors: undefined }, t)).toEqual({ fields: {}, unmatched: [] });
  });
});
