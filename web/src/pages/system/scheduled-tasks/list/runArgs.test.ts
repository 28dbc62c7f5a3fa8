import { describe, expect, it } from 'vitest';
import type { Task } from '../../../../services/types';
import { argsTarget, initialArgsText, MAX_RUN_ARGS_BYTES, parseRunArgs } from './runArgs';

const task = (type: Task['type'], task_config: Record<string, unknown>) => ({ type, task_config }) as unknown as Task;

describe('parseRunArgs', () => {
  it('takes blank as no arguments and an object as them', () => {
    expect(parseRunArgs('  \n')).toEqual({ ok: true, args: undefined });
    expect(parseRunArgs('{"date": "2026-12-01"}')).toEqual({ ok: true, args: { date: '2026-12-01' } });
  });

  it('refuses what the server would: not JSON, not an object, over 64 KiB', () => {
    expect(parseRunArgs('{"a": ')).toMatchObject({ ok: false, error: 'invalidJson' });
    for (const text of ['[1]', '"x"', '3', 'null']) expect(parseRunArgs(text)).toEqual({ ok: false, error: 'notObject' });
    const big = JSON.stringify({ k: 'x'.repeat(MAX_RUN_ARGS_BYTES) });
    expect(parseRunArgs(big)).toEqual({ ok: false, error: 'tooLarge', size: big.length });
    // Multi-byte characters count as the bytes they take.
    expect(parseRunArgs(JSON.stringify({ k: '日'.repeat(30_000) }))).toMatchObject({ ok: false, error: 'tooLarge' });
  });
});

describe('argsTarget', () => {
  it('says where a task puts run arguments', () => {
    expect(argsTarget(task('python_script', { script: 'x' }))).toBe('script');
    expect(argsTarget(task('api_call', { url: 'u', method: 'POST', data: { a: 1 } }))).toBe('body');
    expect(argsTarget(task('api_call', { url: 'u', method: 'patch' }))).toBe('body');
    expect(argsTarget(task('api_call', { url: 'u' }))).toBe('none');
    expect(argsTarget(task('api_call', { url: 'u', method: 'DELETE' }))).toBe('none');
    expect(argsTarget(task('api_call', { url: 'u', method: 'PUT', data: [1] }))).toBe('none');
  });

  it('starts a script’s editor from its own arguments', () => {
    expect(initialArgsText(task('python_script', { script: 'x', args: { days: 7 } }))).toBe('{\n  "days": 7\n}');
    expect(initialArgsText(task('python_script', { script: 'x' }))).toBe('');
    expect(initialArgsText(task('api_call', { url: 'u', method: 'POST', data: { a: 1 } }))).toBe('');
  });
});
