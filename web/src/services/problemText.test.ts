import { describe, expect, it } from 'vitest';
import { translator } from '../locales/translator';
import { distinctTexts, fieldErrorText } from './problemText';
import type { ProblemField } from './types';

const en = translator('en-US');
const zh = translator('zh-CN');
const err = (e: Partial<ProblemField> & Pick<ProblemField, 'code'>): ProblemField => ({ field: 'x', message: 'english text', ...e });

describe('fieldErrorText', () => {
  it('translates each code with its parameters, in both languages', () => {
    expect(fieldErrorText(err({ code: 'too_long', max: 100 }), en)).toBe('At most 100 characters');
    expect(fieldErrorText(err({ code: 'too_long', max: 100 }), zh)).toBe('最多 100 个字符');
    expect(fieldErrorText(err({ code: 'out_of_range', min: 1, max: 86400 }), en)).toBe('Must be between 1 and 86400');
    expect(fieldErrorText(err({ code: 'out_of_range', min: 60 }), zh)).toBe('应不小于 60');
    expect(fieldErrorText(err({ code: 'invalid_type', expected: 'integer' }), en)).toBe('Must be a whole number');
    expect(fieldErrorText(err({ code: 'not_one_of', allowed: ['GET', 'POST'] }), en)).toBe('Must be one of: GET, POST');
    expect(fieldErrorText(err({ code: 'too_frequent', min: 60 }), zh)).toBe('触发过于频繁：本服务最多每 60 秒运行一次');
    expect(fieldErrorText(err({ code: 'jitter_too_large', period: 300 }), en)).toBe('Must be less than the time between two runs (300 s)');
  });

  it('keeps the server’s English text as the detail where it says what exactly is wrong', () => {
    const cron = err({ code: 'invalid_cron', message: 'invalid minute field: 61 is out of range' });
    expect(fieldErrorText(cron, zh)).toBe('不是有效的 cron 表达式（invalid minute field: 61 is out of range）');
    expect(fieldErrorText(err({ code: 'egress_refused', message: 'loopback addresses are refused' }), en)).toBe(
      'This destination is not allowed (loopback addresses are refused)',
    );
    // The code and its parameters say it all: no English in a Chinese sentence.
    expect(fieldErrorText(err({ code: 'required', message: 'is required' }), zh)).toBe('必填');
  });

  it('has a message for every code of the API', () => {
    const codes: ProblemField['code'][] = [
      'required', 'invalid_type', 'too_short', 'too_long', 'too_few', 'too_many', 'out_of_range', 'not_one_of',
      'invalid_format', 'invalid_cron', 'unknown_timezone', 'in_the_past', 'no_future_occurrence', 'jitter_too_large',
      'too_frequent', 'egress_refused', 'reserved', 'duplicate', 'masked_secret', 'unknown_field', 'forbidden_field',
      'duplicate_code', 'args_not_accepted', 'unknown_task', 'unknown_channel', 'chain_cycle', 'email_unavailable',
      'invalid',
    ];
    for (const code of codes) {
      for (const t of [en, zh]) expect(fieldErrorText(err({ code, message: '' }), t)).not.toMatch(/fieldError|\{/);
    }
  });
});

describe('distinctTexts', () => {
  it('one message per problem: the same code twice reads once', () => {
    const errors = [
      err({ code: 'invalid_cron', message: 'invalid minute field: 61 is out of range' }),
      err({ code: 'invalid_cron', message: 'never matches' }),
      err({ code: 'required' }),
    ];
    expect(distinctTexts(errors, en)).toEqual(['Not a valid cron expression (invalid minute field: 61 is out of range)', 'Required']);
  });
});
