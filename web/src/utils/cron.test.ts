import { describe, expect, it } from 'vitest';
import { describeCron } from './cron';

describe('describeCron', () => {
  it('words a daily fixed time as "Every day at"', () => {
    expect(describeCron('0 0 * * *', 'en-US')).toEqual({ ok: true, text: 'Every day at 00:00' });
    expect(describeCron('30 9 * * ?', 'en-US')).toEqual({ ok: true, text: 'Every day at 09:30' });
    expect(describeCron('15 30 9 * * *', 'en-US')).toEqual({ ok: true, text: 'Every day at 09:30:15' });
    expect(describeCron('0 0 * * *', 'zh-CN')).toEqual({ ok: true, text: '每天 00:00' });
  });

  it('expands the server macros', () => {
    expect(describeCron('@daily', 'en-US')).toEqual({ ok: true, text: 'Every day at 00:00' });
    expect(describeCron('@Hourly', 'en-US')).toEqual({ ok: true, text: 'Every hour' });
    expect(describeCron('@reboot', 'en-US').ok).toBe(false);
  });

  it('describes other shapes with cronstrue, in 24-hour time', () => {
    expect(describeCron('*/15 9-17 * * MON-FRI', 'en-US')).toEqual({
      ok: true,
      text: 'Every 15 minutes, between 09:00 and 17:59, Monday through Friday',
    });
    expect(describeCron('0 0 L * *', 'en-US')).toEqual({ ok: true, text: 'At 00:00, on the last day of the month' });
    expect(describeCron('0 0 ? * 5#2', 'en-US')).toEqual({ ok: true, text: 'At 00:00, on the second Friday of the month' });
  });

  it('says both day fields must match when one starts with *, as the server does', () => {
    expect(describeCron('0 0 */2 * 1', 'en-US')).toEqual({
      ok: true,
      text: 'At 00:00, every 2 days in a month, only on days that are also: Monday',
    });
    expect(describeCron('0 0 1,15 * */2', 'en-US')).toEqual({
      ok: true,
      text: 'At 00:00, on day 1 and 15 of the month, only on days that are also: every 2 days of the week',
    });
    expect(describeCron('0 0 */2 * MON-FRI', 'zh-CN')).toEqual({
      ok: true,
      text: '在00:00, 每隔 2 天，且当天须同时满足：星期一至星期五',
    });
    for (const expression of ['0 0 */2 * 1', '0 0 ? * */3', '0 */2 */2 * 1']) {
      const described = describeCron(expression, 'en-US');
      expect(described.ok && described.text).not.toContain('and on');
    }
    // Neither field starts with *: either may match, which cronstrue words as "and on".
    expect(describeCron('0 0 1,15 * 1', 'en-US')).toEqual({
      ok: true,
      text: 'At 00:00, on day 1 and 15 of the month, and on Monday',
    });
    expect(describeCron('0 0 ? * 1', 'en-US')).toEqual({ ok: true, text: 'At 00:00, only on Monday' });
  });

  it('describes in Chinese', () => {
    const described = describeCron('*/5 * * * *', 'zh-CN');
    expect(described.ok && described.text).toContain('5 分钟');
  });

  it('reports what is wrong instead of throwing', () => {
    expect(describeCron('', 'en-US').ok).toBe(false);
    expect(describeCron('* * *', 'en-US')).toEqual({ ok: false, error: 'expected 5 fields (or 6 with seconds), got 3' });
    const bad = describeCron('61 * * * *', 'en-US');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error).toBe('minutes part must be >= 0 and <= 59');
  });
});
