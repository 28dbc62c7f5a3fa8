import { describe, expect, it } from 'vitest';
import { ApiError, NetworkError, parseRetryAfter } from '../../../../services/http';
import { outageFrom, rowsAfterFailure } from './listOutage';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const POLL = 10_000;
const problem = (status: number, code: string) => ({ type: 'about:blank', title: code, status, code, detail: code });

describe('outageFrom', () => {
  it('a server that cannot be reached is offline, retried on the usual period', () => {
    expect(outageFrom(new NetworkError(new TypeError('Failed to fetch')), NOW, POLL)).toEqual({
      kind: 'offline',
      retryAt: NOW + POLL,
      backOff: false,
    });
  });

  it('a 429 backs off as long as Retry-After says, even beyond the polling period', () => {
    const error = new ApiError(429, problem(429, 'rate_limited'), '429', 30);
    expect(outageFrom(error, NOW, POLL)).toEqual({ kind: 'rateLimited', retryAt: NOW + 30_000, backOff: true });
  });

  it('a 503 with Retry-After backs off too; without the header the period is used', () => {
    expect(outageFrom(new ApiError(503, problem(503, 'store_unavailable'), '503', 5), NOW, POLL)).toEqual({
      kind: 'unavailable',
      retryAt: NOW + 5000,
      backOff: true,
    });
    expect(outageFrom(new ApiError(429, null, '429'), NOW, POLL)?.retryAt).toBe(NOW + POLL);
  });

  it('a 401 is no outage (the sign-in screen takes over); other failures are', () => {
    expect(outageFrom(new ApiError(401, problem(401, 'unauthorized'), '401'), NOW, POLL)).toBeNull();
    expect(outageFrom(new ApiError(500, problem(500, 'internal'), '500'), NOW, POLL)?.kind).toBe('failed');
  });
});

describe('parseRetryAfter', () => {
  it('reads whole seconds and HTTP dates', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7);
    expect(parseRetryAfter('Sun, 06 Dec 2026 12:00:09 GMT', NOW)).toBe(9);
    expect(parseRetryAfter('Sun, 06 Dec 2026 11:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter(null, NOW)).toBeNull();
    expect(parseRetryAfter('soon', NOW)).toBeNull();
  });
});

describe('rowsAfterFailure', () => {
  const last = { key: 'keyword=', items: ['a', 'b'], total: 2 };

  it('keeps the rows of the same view, marked stale', () => {
    expect(rowsAfterFailure(last, 'keyword=')).toEqual({ ...last, stale: true });
  });

  it('shows no old rows under a new search', () => {
    expect(rowsAfterFailure(last, 'keyword=report')).toEqual({ key: 'keyword=report', items: [], total: 0, stale: false });
    expect(rowsAfterFailure(null, 'keyword=')).toEqual({ key: 'keyword=', items: [], total: 0, stale: false });
  });
});
