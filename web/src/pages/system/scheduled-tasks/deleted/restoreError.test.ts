import { describe, expect, it } from 'vitest';
import { translator } from '../../../../locales/translator';
import { ApiError, NetworkError } from '../../../../services/http';
import type { DeletedTask, Problem } from '../../../../services/types';
import { restoreFailure } from './restoreError';

const en = translator('en-US');
const zh = translator('zh-CN');
const task = { code: 'weekly-digest', name: 'Weekly digest' } as DeletedTask;
const problem = (status: number, code: string, detail: string): Problem => ({ type: 'about:blank', title: code, status, code, detail });

describe('restoreFailure', () => {
  it('says a live task holds the code, in both languages, and names the code', () => {
    const taken = new ApiError(409, problem(409, 'duplicate_code', 'A task with code `weekly-digest` already exists.'), '409');
    expect(restoreFailure(taken, task, en)).toEqual({
      reason: 'A live task has the code “weekly-digest” now: rename or delete that task, then restore this one.',
      takenCode: 'weekly-digest',
    });
    expect(restoreFailure(taken, task, zh).reason).toBe('编码“weekly-digest”已被一个现有任务占用：请先重命名或删除那个任务，再恢复此任务。');
  });

  it('tells a task past the retention period from a tenant at its quota', () => {
    expect(restoreFailure(new ApiError(404, problem(404, 'not_found', 'No such object.'), '404'), task, en)).toEqual({
      reason: 'This task can no longer be restored: it was restored already, or deleted longer ago than runs are kept.',
      takenCode: null,
    });
    const quota = new ApiError(429, problem(429, 'quota_exceeded', 'The tenant may have at most 5 tasks.'), '429');
    expect(restoreFailure(quota, task, zh).reason).toBe('本租户的任务数已达配额：请先删除一个任务，再恢复此任务。');
  });

  it('reads any other failure as every failed call does', () => {
    expect(restoreFailure(new NetworkError(new TypeError('Failed to fetch')), task, en)).toEqual({
      reason: 'Cannot reach the server (it is down, or the network is).',
      takenCode: null,
    });
    const limited = new ApiError(429, problem(429, 'rate_limited', 'Too many requests'), '429', 3);
    expect(restoreFailure(limited, task, en).reason).toBe('Too many requests; the server asked to wait 3 s.');
  });
});
