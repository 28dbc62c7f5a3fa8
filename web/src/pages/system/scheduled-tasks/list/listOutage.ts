// What the task list shows while its requests fail: which outage it is, when to try again, and
// which rows may stay on screen (greyed) — only those of the very view that was asked for.

import { ApiError, NetworkError } from '../../../../services/http';

export type OutageKind = 'offline' | 'rateLimited' | 'unavailable' | 'failed';

export interface Outage {
  kind: OutageKind;
  /** When the list tries again by itself, in ms since the epoch. */
  retryAt: number;
  /** Whether the manual retry must wait for `retryAt` too (the server asked us to back off). */
  backOff: boolean;
}

/** The outage a failed list request means; null for a 401 (sign-in takes over). */
export function outageFrom(error: unknown, now: number, pollMs: number): Outage | null {
  if (error instanceof ApiError && error.status === 401) return null;
  if (error instanceof NetworkError) return { kind: 'offline', retryAt: now + pollMs, backOff: false };
  if (error instanceof ApiError && (error.status === 429 || error.status === 503)) {
    // Sundial sends Retry-After on both; without one, the usual period is the best guess.
    const waitMs = error.retryAfterSeconds !== null ? Math.max(1, error.retryAfterSeconds) * 1000 : pollMs;
    return { kind: error.status === 429 ? 'rateLimited' : 'unavailable', retryAt: now + waitMs, backOff: true };
  }
  return { kind: 'failed', retryAt: now + pollMs, backOff: false };
}

export interface ShownPage<T> {
  /** The view (filters, page, size, sort) these rows answer. */
  key: string;
  items: T[];
  total: number;
}

/**
 * The rows to keep on screen when loading `key` failed: the last answer if it was for the same
 * view (a refresh that failed; they are shown greyed as stale), else none — rows of another
 * search must never appear under the new one.
 */
export function rowsAfterFailure<T>(last: ShownPage<T> | null, key: string): ShownPage<T> & { stale: boolean } {
  if (last && last.key === key) return { ...last, stale: true };
  return { key, items: [], total: 0, stale: false };
}
