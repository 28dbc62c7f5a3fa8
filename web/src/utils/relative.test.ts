import { describe, expect, it } from 'vitest';
import { relativeTime } from './relative';

const NOW = Date.parse('2026-03-08T10:00:00Z');
const at = (offsetSeconds: number) => new Date(NOW + offsetSeconds * 1000).toISOString();

describe('relativeTime', () => {
  it('says now within five seconds', () => {
    expect(relativeTime(at(3), NOW, 'en-US')).toBe('now');
    expect(relativeTime(at(-4), NOW, 'zh-CN')).toBe('现在');
  });

  it('picks the largest unit below the next, rounded, both ways in time', () => {
    expect(relativeTime(at(42), NOW, 'en-US')).toBe('in 42 seconds');
    expect(relativeTime(at(-59), NOW, 'en-US')).toBe('59 seconds ago');
    expect(relativeTime(at(-90), NOW, 'en-US')).toBe('2 minutes ago');
    expect(relativeTime(at(5 * 60), NOW, 'en-US')).toBe('in 5 minutes');
    expect(relativeTime(at(89 * 60), NOW, 'en-US')).toBe('in 1 hour');
    expect(relativeTime(at(-3 * 3600), NOW, 'en-US')).toBe('3 hours ago');
    expect(relativeTime(at(23.4 * 3600), NOW, 'en-US')).toBe('in 23 hours');
    expect(relativeTime(at(36 * 3600), NOW, 'en-US')).toBe('in 2 days');
    expect(relativeTime(at(-40 * 86_400), NOW, 'en-US')).toBe('1 month ago');
    expect(relativeTime(at(3 * 365 * 86_400), NOW, 'en-US')).toBe('in 3 years');
  });

  it('speaks Chinese', () => {
    expect(relativeTime(at(5 * 60), NOW, 'zh-CN')).toBe('5分钟后');
    expect(relativeTime(at(-3 * 3600), NOW, 'zh-CN')).toBe('3小时前');
  });
});
