import { describe, expect, it } from 'vitest';
import { buildQuery } from '../../../../services/http';
import { listRequest, sortParam, sortParamOfUrl } from './listQuery';
import { redactDefinition } from './redact';

describe('sortParam', () => {
  it('maps ProTable sorters to the API sort', () => {
    expect(sortParam({})).toBe('-created_at');
    expect(sortParam({ name: 'ascend' })).toBe('name');
    expect(sortParam({ next_run_at: 'descend' })).toBe('-next_run_at');
    expect(sortParam({ name: null, code: 'ascend' })).toBe('code');
  });

  it('gives a link’s sort the same API sort as the column sorted so', () => {
    expect(sortParamOfUrl(null)).toBe('-created_at');
    expect(sortParamOfUrl({ field: 'name', order: 'ascend' })).toBe(sortParam({ name: 'ascend' }));
    expect(sortParamOfUrl({ field: 'next_run_at', order: 'descend' })).toBe('-next_run_at');
  });
});

describe('listRequest', () => {
  it('asks for the view’s filters, page and sort, the active filter as a boolean', () => {
    const query = listRequest({ keyword: 'report', is_active: 'false', last_run_outcome: 'none' }, 2, 50, 'name');
    expect(buildQuery(query)).toBe('?keyword=report&is_active=false&last_run_outcome=none&page=2&page_size=50&sort=name');
    expect(buildQuery(listRequest({}, 1, 20, '-created_at'))).toBe('?page=1&page_size=20&sort=-created_at');
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
