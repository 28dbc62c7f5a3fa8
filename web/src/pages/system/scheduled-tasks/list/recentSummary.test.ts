import { describe, expect, it } from 'vitest';
import { translator } from '../../../../locales/translator';
import { recentSummary } from './recentSummary';

describe('recentSummary', () => {
  it('counts each outcome that occurs, in both languages', () => {
    const outcomes = ['failed', 'succeeded', 'succeeded', 'timed_out', 'succeeded'] as const;
    expect(recentSummary([...outcomes], translator('en-US'))).toBe('Last 5, newest first: 3 succeeded, 1 failed, 1 timed out');
    expect(recentSummary([...outcomes], translator('zh-CN'))).toBe('最近 5 次（最新在前）：成功 3 次，失败 1 次，超时 1 次');
  });

  it('says so when no run has ended', () => {
    expect(recentSummary([], translator('en-US'))).toBe('No run has ended yet');
    expect(recentSummary([], translator('zh-CN'))).toBe('尚无结束的运行');
  });
});
