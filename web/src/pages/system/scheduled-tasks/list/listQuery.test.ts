import { describe, expect, it } from 'vitest';
import { sortParam } from './listQuery';
import { redactDefinition } from './redact';

describe('sortParam', () => {
  it('maps ProTable sorters to the API sort', () => {
    expect(sortParam({})).toBe('-created_at');
    expect(sortParam({ name: 'ascend' })).toBe('name');
    expect(sortParam({ next_run_at: 'descend' })).toBe('-next_run_at');
    expect(sortParam({ name: null, code: 'ascend' })).toBe('code');
  });
});

describe('redactDefinition', () => {
  it('masks secret-looking headers in a definition', () => {
    const definition = {
      name: 'x',
      task_config: { url: 'https://x.test', headers: { Authorization: 'Bearer abc', 'Content-Type': 'application/json', 'X-Api-Key': 'k' } },
    };
    expect(redactDefinition(definition)).toEqual({
      name: 'x',
      task_config: { url: 'https://x.test', headers: { Authorization: '••••••••', 'Content-Type': 'application/json', 'X-Api-Key': '••••••••' } },
    });
    expect(definition.task_config.headers.Authorization).toBe('Bearer abc');
  });
});
