import { describe, expect, it } from 'vitest';
import { translator } from '../../../locales/translator';
import { ApiError } from '../../../services/http';
import type { Problem } from '../../../services/types';
import { alertsTranslator } from './messages';
import {
  apiPath,
  channelRequest,
  deadlineRow,
  deadlineSpec,
  deadlineText,
  placeChannelField,
  placeDeadlineField,
  placeErrors,
  placeRuleField,
  ruleRequest,
  splitSeconds,
  thresholdOf,
} from './model';

const t = translator('en-US');
const refused = (errors: Problem['errors']) =>
  new ApiError(422, { type: 'about:blank', title: 'Unprocessable', status: 422, code: 'validation_failed', detail: 'invalid', errors } as Problem, '422');

describe('rules', () => {
  it('sends a threshold only for the events that take one', () => {
    expect(thresholdOf('run.failed')).toBe('optional');
    expect(thresholdOf('run.slow')).toBe('required');
    expect(thresholdOf('run.recovered')).toBe('none');
    expect(ruleRequest({ channel: 'c', event: 'run.failed', threshold: 3, throttle_seconds: 600 })).toEqual({
      channel: 'c',
      event: 'run.failed',
      threshold: 3,
      throttle_seconds: 600,
    });
    // A threshold left in the form from another event is not sent to be refused.
    expect(ruleRequest({ channel: 'c', event: 'deadline.missed', threshold: 3 })).toEqual({ channel: 'c', event: 'deadline.missed' });
    // Empty fields take the server's defaults.
    expect(ruleRequest({ channel: 'c', event: 'run.failed', threshold: null, throttle_seconds: null })).toEqual({ channel: 'c', event: 'run.failed' });
  });
});

describe('channels', () => {
  it('sends a webhook its URL and an email its recipients as a list', () => {
    expect(channelRequest({ name: ' ops ', kind: 'webhook', url: ' https://h.example/x ', to: 'a@b.c' })).toEqual({
      name: 'ops',
      kind: 'webhook',
      url: 'https://h.example/x',
    });
    expect(channelRequest({ name: 'mail', kind: 'email', to: 'a@example.com, b@example.com\nc@example.com;' })).toEqual({
      name: 'mail',
      kind: 'email',
      to: ['a@example.com', 'b@example.com', 'c@example.com'],
    });
  });
});

describe('deadlines', () => {
  it('shows seconds in the largest unit that divides them', () => {
    expect(splitSeconds(7200)).toEqual({ value: 2, unit: 'hours' });
    expect(splitSeconds(172800)).toEqual({ value: 2, unit: 'days' });
    expect(splitSeconds(90)).toEqual({ value: 90, unit: 'seconds' });
    expect(splitSeconds(600)).toEqual({ value: 10, unit: 'minutes' });
  });

  it('maps the API shapes to rows and back', () => {
    const every = { every_seconds: 5400 };
    expect(deadlineRow(every)).toEqual({ kind: 'every', every_value: 90, every_unit: 'minutes' });
    expect(deadlineSpec(deadlineRow(every))).toEqual(every);
    const by = { by: '07:30', timezone: 'Europe/Berlin', days: '* * MON-FRI' };
    expect(deadlineRow(by)).toEqual({ kind: 'by', ...by });
    expect(deadlineSpec(deadlineRow(by))).toEqual(by);
    // The server's answer carries state besides the spec; the row keeps only the spec.
    expect(deadlineRow({ ...by, key: 'by 07:30 Europe/Berlin on * * MON-FRI', since: '2026-12-06T00:00:00Z', missed_count: 0 } as never)).toEqual({
      kind: 'by',
      ...by,
    });
    // An empty zone and days take the server's defaults (UTC, every day).
    expect(deadlineSpec({ kind: 'by', by: ' 06:00 ', timezone: '', days: ' ' })).toEqual({ by: '06:00' });
    expect(deadlineSpec({ kind: 'every', every_value: 2, every_unit: 'hours' })).toEqual({ every_seconds: 7200 });
  });

  it('words a deadline in both languages', () => {
    const en = alertsTranslator('en-US');
    const zh = alertsTranslator('zh-CN');
    expect(deadlineText({ every_seconds: 7200 }, en)).toBe('At least every 2 hours');
    expect(deadlineText({ by: '07:30', timezone: 'Asia/Shanghai', days: '* * *' }, en)).toBe('By 07:30 (Asia/Shanghai) on “* * *”');
    expect(deadlineText({ every_seconds: 7200 }, zh)).toBe('至少每 2 小时成功一次');
  });
});

describe('server errors under their fields', () => {
  it('reads API paths', () => {
    expect(apiPath('deadlines[1].by')).toEqual(['deadlines', 1, 'by']);
    expect(apiPath('to[2]')).toEqual(['to', 2]);
    expect(apiPath('throttle_seconds')).toEqual(['throttle_seconds']);
  });

  it('puts a deadline error under its row and field, and one for no field above the form', () => {
    const placed = placeErrors(
      refused([
        { field: 'deadlines[1].by', code: 'invalid_format', message: 'must be HH:MM' },
        { field: 'deadlines[0].every_seconds', code: 'out_of_range', message: 'too small', min: 60, max: 31536000 },
        { field: 'deadlines[2]', code: 'duplicate', message: 'given twice' },
        { field: 'deadlines', code: 'too_many', message: 'at most 10', max: 10 },
      ] as Problem['errors']),
      t,
      placeDeadlineField,
    );
    expect(placed?.fields.map((f) => f.name)).toEqual([
      ['deadlines', 1, 'by'],
      ['deadlines', 0, 'every_value'],
      ['deadlines', 2, 'kind'],
    ]);
    expect(placed?.fields[1].errors).toEqual([t('fieldError.out_of_range', { min: 60, max: 31536000 })]);
    expect(placed?.unmatched).toHaveLength(1);
    expect(placed?.unmatched[0]).toMatch(/^deadlines: /);
  });

  it('places rule and channel errors', () => {
    const rule = placeErrors(refused([{ field: 'threshold', code: 'required', message: 'required' }] as Problem['errors']), t, placeRuleField);
    expect(rule?.fields).toEqual([{ name: ['threshold'], errors: [t('fieldError.required')] }]);
    const channel = placeErrors(
      refused([
        { field: 'to[1]', code: 'invalid_format', message: 'not an address' },
        { field: 'url', code: 'egress_refused', message: '127.0.0.1 is loopback' },
      ] as Problem['errors']),
      t,
      placeChannelField,
    );
    expect(channel?.fields.map((f) => f.name)).toEqual([['to'], ['url']]);
    expect(channel?.fields[1].errors[0]).toContain('127.0.0.1 is loopback');
  });

  it('leaves errors without fields to the caller', () => {
    expect(placeErrors(new Error('offline'), t, placeRuleField)).toBeNull();
    expect(placeErrors(refused([]), t, placeRuleField)).toBeNull();
  });
});
