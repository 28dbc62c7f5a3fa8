import { describe, expect, it } from 'vitest';
import { hasFilters, type ListUrlState, readListUrl, writeListUrl } from './urlState';

const UUID = '0192f0c1-7d2a-7c3e-9a1b-2c3d4e5f6a7b';
const RUN = '0192f0c1-7d2a-7c3e-9a1b-000000000042';

describe('readListUrl / writeListUrl', () => {
  it('reads nothing as the default view, and writes it as no query at all', () => {
    const state = readListUrl('');
    expect(state).toEqual({ filters: {}, page: 1, pageSize: 20, sort: null, task: null, tab: 'overview', run: null });
    expect(writeListUrl(state)).toBe('');
  });

  it('round-trips filters, paging, sort and the open task with its tab and run', () => {
    const state: ListUrlState = {
      filters: { keyword: 'alpha report', type: 'python_script', trigger_type: 'interval', is_active: 'false', last_run_outcome: 'timed_out' },
      page: 3,
      pageSize: 50,
      sort: { field: 'next_run_at', order: 'descend' },
      task: UUID,
      tab: 'runs',
      run: RUN,
    };
    const search = writeListUrl(state);
    expect(search).toBe(
      `?keyword=alpha+report&type=python_script&trigger_type=interval&is_active=false&last_run_outcome=timed_out&page=3&page_size=50&sort=-next_run_at&task=${UUID}&tab=runs&run=${RUN}`,
    );
    expect(readListUrl(search)).toEqual(state);
  });

  it('ignores what it does not know instead of sending it to the server', () => {
    const state = readListUrl('?type=shell&trigger_type=&is_active=yes&last_run_outcome=never&last_run_status=success&page=0&page_size=7&sort=-secret&task=../x&tab=logs&tenant_id=2');
    expect(state).toEqual(readListUrl(''));
    expect(readListUrl('?page=2.5&sort=name').page).toBe(1);
    expect(readListUrl('?sort=name').sort).toEqual({ field: 'name', order: 'ascend' });
  });

  it('keeps the Never run filter', () => {
    expect(readListUrl('?last_run_outcome=none').filters).toEqual({ last_run_outcome: 'none' });
    expect(writeListUrl(readListUrl('?last_run_outcome=none'))).toBe('?last_run_outcome=none');
  });

  it('reads a link saved with the filter under its earlier name', () => {
    expect(readListUrl('?last_run_status=timed_out').filters).toEqual({ last_run_outcome: 'timed_out' });
    expect(writeListUrl(readListUrl('?last_run_status=failed'))).toBe('?last_run_outcome=failed');
  });

  it('keeps the tab only with an open task', () => {
    expect(writeListUrl({ ...readListUrl(''), tab: 'versions' })).toBe('');
    expect(writeListUrl({ ...readListUrl(''), task: UUID })).toBe(`?task=${UUID}`);
  });

  it('keeps a run only on the Runs tab of an open task', () => {
    expect(readListUrl(`?run=${RUN}`).run).toBeNull();
    expect(readListUrl(`?task=${UUID}&tab=versions&run=${RUN}`).run).toBeNull();
    expect(readListUrl(`?task=${UUID}&tab=runs&run=not-a-uuid`).run).toBeNull();
    expect(writeListUrl({ ...readListUrl(''), task: UUID, tab: 'overview', run: RUN })).toBe(`?task=${UUID}`);
  });
});

describe('hasFilters', () => {
  it('tells a filtered list from the whole tenant', () => {
    expect(hasFilters({})).toBe(false);
    expect(hasFilters({ keyword: '  ' })).toBe(false);
    expect(hasFilters({ is_active: 'false' })).toBe(true);
  });
});
