import { describe, expect, it } from 'vitest';
import { looksSecret, recordFromRows, rowsFromRecord } from './headers';

describe('looksSecret', () => {
  it.each([
    ['Authorization', 'Bearer x'],
    ['X-Api-Key', 'k'],
    ['x-auth-token', 'abc'],
    ['Cookie', 'a=b'],
    ['X-Custom', 'Bearer eyJhbGciOi'],
    ['X-Custom', 'sk-0123456789abcdef'],
  ])('%s: %s is masked', (name, value) => expect(looksSecret(name, value)).toBe(true));

  it.each([
    ['Content-Type', 'application/json'],
    ['Accept', '*/*'],
    ['X-Request-Source', 'sundial'],
  ])('%s: %s is shown', (name, value) => expect(looksSecret(name, value)).toBe(false));
});

describe('rows', () => {
  it('round-trips records, dropping unnamed rows', () => {
    expect(rowsFromRecord({ A: '1', B: '2' })).toEqual([{ key: 'A', value: '1' }, { key: 'B', value: '2' }]);
    expect(recordFromRows([{ key: ' A ', value: '1' }, { key: '', value: 'x' }])).toEqual({ A: '1' });
    expect(recordFromRows([])).toBeUndefined();
    expect(recordFromRows(undefined)).toBeUndefined();
  });
});
