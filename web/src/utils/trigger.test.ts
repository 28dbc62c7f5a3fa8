import { describe, expect, it } from 'vitest';
import { describeInterval, intervalSeconds, splitInterval, summarizeTrigger } from './trigger';

describe('interval units', () => {
  it('picks the largest unit that divides evenly', () => {
    expect(splitInterval(300)).toEqual({ value: 5, unit: 'minutes' });
    expect(splitInterval(7200)).toEqual({ value: 2, unit: 'hours' });
    expect(splitInterval(86_400 * 3)).toEqual({ value: 3, unit: 'days' });
    expect(splitInterval(90)).toEqual({ value: 90, unit: 'seconds' });
    expect(splitInterval(1)).toEqual({ value: 1, unit: 'seconds' });
  });

  it('converts back to seconds', () => {
    expect(intervalSeconds(5, 'minutes')).toBe(300);
    expect(intervalSeconds(2, 'hours')).toBe(7200);
    expect(intervalSeconds(1, 'days')).toBe(86_400);
    for (const seconds of [1, 59, 60, 61, 3600, 5400, 86_400, 90_000]) {
      const { value, unit } = splitInterval(seconds);
      expect(intervalSeconds(value, unit)).toBe(seconds);
    }
  });

  it('words intervals', () => {
    expect(describeInterval(300, 'en-US')).toBe('Every 5 minutes');
    expect(describeInterval(3600, 'en-US')).toBe('Every hour');
    expect(describeInterval(300, 'zh-CN')).toBe('每 5 分钟');
    expect(describeInterval(86_400, 'zh-CN')).toBe('每天');
  });
});

describe('summarizeTrigger', () => {
  it('names the cron zone, as in the design', () => {
    expect(summarizeTrigger('cron', { cron: '0 0 * * *', timezone: 'Asia/Shanghai' }, 'Asia/Shanghai', 'en-US')).toBe(
      'Every day at 00:00, Asia/Shanghai',
    );
    expect(summarizeTrigger('cron', { cron: '0 0 * * *', timezone: 'Asia/Shanghai' }, 'Asia/Shanghai', 'zh-CN')).toBe(
      '每天 00:00，Asia/Shanghai',
    );
  });

  it('falls back to the expression when it cannot be worded', () => {
    expect(summarizeTrigger('cron', { cron: '0 0 ? * 9#9', timezone: 'UTC' }, 'UTC', 'en-US')).toBe('0 0 ? * 9#9, UTC');
  });

  it('words intervals and dates', () => {
    expect(summarizeTrigger('interval', { seconds: 600 }, 'UTC', 'en-US')).toBe('Every 10 minutes');
    expect(summarizeTrigger('date', { at: '2030-01-01T00:00:00Z' }, 'UTC', 'en-US', 'UTC')).toBe('Once at 2030-01-01 00:00, UTC');
  });

  it('shows a date in the reader’s zone, and names it', () => {
    expect(summarizeTrigger('date', { at: '2030-07-01T06:30:15Z' }, 'UTC', 'en-US', 'Europe/Berlin')).toBe(
      'Once at 2030-07-01 08:30:15, Europe/Berlin',
    );
    expect(summarizeTrigger('date', { at: '2030-01-01T00:00:00Z' }, 'UTC', 'zh-CN', 'Asia/Shanghai')).toBe('一次，2030-01-01 08:00，Asia/Shanghai');
  });
});
