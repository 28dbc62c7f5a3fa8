import { describe, expect, it } from 'vitest';
import { pageAfterRestore, readDeletedUrl, writeDeletedUrl } from './urlState';

describe('the deleted tasks in the address', () => {
  it('reads page and page size, ignoring what is invalid', () => {
    expect(readDeletedUrl('?view=deleted&page=3&page_size=50')).toEqual({ page: 3, pageSize: 50 });
    expect(readDeletedUrl('?view=deleted&page=0&page_size=7')).toEqual({ page: 1, pageSize: 20 });
    expect(readDeletedUrl('?view=deleted&page=1.5&page_size=abc')).toEqual({ page: 1, pageSize: 20 });
  });

  it('writes a view back to the same view, defaults left out', () => {
    expect(writeDeletedUrl({ page: 1, pageSize: 20 })).toBe('?view=deleted');
    expect(writeDeletedUrl({ page: 2, pageSize: 100 })).toBe('?view=deleted&page=2&page_size=100');
    const state = { page: 4, pageSize: 10 };
    expect(readDeletedUrl(writeDeletedUrl(state))).toEqual(state);
  });

  it('after a restore stays on the page unless its only row was the last one', () => {
    expect(pageAfterRestore({ page: 2, pageSize: 20 }, 25)).toBe(2);
    expect(pageAfterRestore({ page: 2, pageSize: 20 }, 21)).toBe(1);
    expect(pageAfterRestore({ page: 1, pageSize: 20 }, 1)).toBe(1);
    expect(pageAfterRestore({ page: 3, pageSize: 10 }, 30)).toBe(3);
  });
});
