// The Runs page's view in the address (`?view=runs&status=failed&task=<uuid>&range=7d&page=2`),
// so a reload or a shared link shows the same runs. A preset range (`range=24h`) stays relative
// to now on every load; `from`/`to` (RFC 3339) are a fixed range and win over a preset.

import type { RunStatus } from '../../../../services/types';
import { RUN_STATUSES } from '../list/runStatus';

export const RANGES = ['1h', '24h', '7d', '30d'] as const;
export type RangePreset = (typeof RANGES)[number];

export interface RunsUrlState {
  status?: RunStatus;
  /** Task uuid. */
  task?: string;
  range: RangePreset;
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

export const PAGE_SIZES = [10, 20, 50, 100];
const DEFAULT_PAGE_SIZE = 20;
const DEFAULT_RANGE: RangePreset = '24h';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOUR = 3_600_000;
const RANGE_MS: Record<RangePreset, number> = { '1h': HOUR, '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR };

function oneOf<T extends string>(allowed: readonly T[], value: string | null): T | undefined {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

function instant(value: string | null): string | undefined {
  return value && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;
}

/** The view a query string asks for; unknown or invalid parameters are ignored. */
export function readRunsUrl(search: string): RunsUrlState {
  const params = new URLSearchParams(search);
  const task = params.get('task');
  const page = Number(params.get('page'));
  const pageSize = Number(params.get('page_size'));
  const from = instant(params.get('from'));
  const to = instant(params.get('to'));
  const fixed = from !== undefined && to !== undefined && Date.parse(from) < Date.parse(to);
  return {
    status: oneOf(RUN_STATUSES, params.get('status')),
    task: task && UUID.test(task) ? task : undefined,
    range: oneOf(RANGES, params.get('range')) ?? DEFAULT_RANGE,
    from: fixed ? from : undefined,
    to: fixed ? to : undefined,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    pageSize: PAGE_SIZES.includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
  };
}

/** The query string (with `?`) for a view; defaults are left out. */
export function writeRunsUrl(state: RunsUrlState): string {
  const params = new URLSearchParams({ view: 'runs' });
  if (state.status) params.set('status', state.status);
  if (state.task) params.set('task', state.task);
  if (state.from && state.to) {
    params.set('from', state.from);
    params.set('to', state.to);
  } else if (state.range !== DEFAULT_RANGE) {
    params.set('range', state.range);
  }
  if (state.page > 1) params.set('page', String(state.page));
  if (state.pageSize !== DEFAULT_PAGE_SIZE) params.set('page_size', String(state.pageSize));
  return `?${params.toString()}`;
}

/**
 * The instants the view covers: its fixed range, else its preset ending at `now` (ms) and
 * starting on a boundary of its chart's buckets, so that bars stand for whole minutes, hours or
 * days.
 */
export function resolveRange(state: RunsUrlState, now: number): { from: string; to: string } {
  if (state.from && state.to) return { from: state.from, to: state.to };
  const span = RANGE_MS[state.range];
  const bucket = BUCKETS.find((b) => b.name === pickBucket(span))?.ms ?? HOUR;
  const from = Math.floor((now - span) / bucket) * bucket;
  return { from: new Date(from).toISOString(), to: new Date(now).toISOString() };
}

/** The bucket widths `GET /stats` offers, narrowest first. */
export const BUCKETS: { name: string; ms: number }[] = [
  { name: '1m', ms: 60_000 },
  { name: '5m', ms: 300_000 },
  { name: '15m', ms: 900_000 },
  { name: '1h', ms: HOUR },
  { name: '6h', ms: 6 * HOUR },
  { name: '1d', ms: 24 * HOUR },
];

/** Most bars a chart shows before a wider bucket is taken; the server allows up to 1,000. */
export const MAX_BARS = 72;

/** The narrowest bucket that keeps a range of `spanMs` within MAX_BARS bars (else the widest). */
export function pickBucket(spanMs: number): string {
  return (BUCKETS.find((b) => Math.ceil(spanMs / b.ms) <= MAX_BARS) ?? BUCKETS[BUCKETS.length - 1]).name;
}
