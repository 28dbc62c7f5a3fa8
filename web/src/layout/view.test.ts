import { describe, expect, it } from 'vitest';
import { readView } from './view';

describe('the page in the address', () => {
  it('is the Runs page with view=runs, the deleted tasks with view=deleted, else the task list', () => {
    expect(readView('?view=runs&status=failed')).toBe('runs');
    expect(readView('?view=deleted&page=2')).toBe('deleted');
    expect(readView('')).toBe('tasks');
    expect(readView('?view=other&task=x')).toBe('tasks');
  });
});
