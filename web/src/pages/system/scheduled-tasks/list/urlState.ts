// What of the list page lives in the address (`?keyword=…&page=2&task=<uuid>&tab=runs&run=<uuid>`), so a
// reload or a shared link shows the same view. The fragment is left alone: a sign-in link's
// `#token=` lives there and never reaches the server.

import type { RunOutcomeFilter, TaskType, TriggerType } from '../../../../services/types';
import { OUTCOME_FILTERS } from './runStatus';

export type DrawerTab = 'overview' | 'runs' | 'chains' | 'alerts' | 'versions';
export type SortField = 'name' | 'code' | 'next_run_at' | 'last_run_at';

export interface ListFilters {
  keyword?: string;
  type?: TaskType;
  trigger_type?: TriggerType;
  is_active?: 'true' | 'false';
  last_run_outcome?: RunOutcomeFilter;
}

export interface ListUrlState {
  filters: ListFilters;
  page: number;
  pageSize: number;
  sort: { field: SortField; order: 'ascend' | 'descend' } | null;
  /** The task open in the drawer, and its tab. */
  task: string | null;
  tab: DrawerTab;
  /** The run open in the drawer's Runs tab. */
  run: string | null;
}

export const PAGE_SIZES = [10, 20, 50, 100];
const DEFAULT_PAGE_SIZE = 20;
/** The values of the list's type, trigger type and active filters. */
export const TASK_TYPES: TaskType[] = ['api_call', 'python_script'];
export const TRIGGER_TYPES: TriggerType[] = ['cron', 'interval', 'date'];
export const ACTIVE = ['true', 'false'] as const;
const SORT_FIELDS: SortField[] = ['name', 'code', 'next_run_at', 'last_run_at'];
const TABS: DrawerTab[] = ['overview', 'runs', 'chains', 'alerts', 'versions'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function oneOf<T extends string>(allowed: readonly T[], value: string | null): T | undefined {
  return value !== null && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

function positive(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 ? n : undefined;
}

/** The API's `sort` (`-next_run_at`) as a column sort; null for the default or an unknown field. */
export function sortFromParam(text: string): ListUrlState['sort'] {
  const field = oneOf(SORT_FIELDS, text.replace(/^-/, ''));
  return field ? { field, order: text.startsWith('-') ? 'descend' : 'ascend' } : null;
}

/** The view a query string asks for; unknown or invalid parameters are ignored. */
export function readListUrl(search: string): ListUrlState {
  const params = new URLSearchParams(search);
  const filters: ListFilters = {};
  const keyword = params.get('keyword')?.trim();
  if (keyword) filters.keyword = keyword;
  const type = oneOf(TASK_TYPES, params.get('type'));
  if (type) filters.type = type;
  const trigger = oneOf(TRIGGER_TYPES, params.get('trigger_type'));
  if (trigger) filters.trigger_type = trigger;
  const active = oneOf(ACTIVE, params.get('is_active'));
  if (active) filters.is_active = active;
  // Links saved before the filter was named `last_run_outcome` said `last_run_status`.
  const outcome = oneOf(OUTCOME_FILTERS, params.get('last_run_outcome') ?? params.get('last_run_status'));
  if (outcome) filters.last_run_outcome = outcome;

  const pageSize = positive(params.get('page_size'));
  const task = params.get('task');
  const run = params.get('run');
  const tab = oneOf(TABS, params.get('tab')) ?? 'overview';
  const withTask = task !== null && UUID.test(task);
  return {
    filters,
    page: positive(params.get('page')) ?? 1,
    pageSize: pageSize !== undefined && PAGE_SIZES.includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
    sort: sortFromParam(params.get('sort') ?? ''),
    task: withTask ? task : null,
    tab,
    run: withTask && tab === 'runs' && run !== null && UUID.test(run) ? run : null,
  };
}

/** The query string (with `?`, or empty) for a view; defaults are left out. */
export function writeListUrl(state: ListUrlState): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(state.filters)) {
    if (typeof value === 'string' && value.trim()) params.set(key, value.trim());
  }
  if (state.page > 1) params.set('page', String(state.page));
  if (state.pageSize !== DEFAULT_PAGE_SIZE) params.set('page_size', String(state.pageSize));
  if (state.sort) params.set('sort', `${state.sort.order === 'descend' ? '-' : ''}${state.sort.field}`);
  if (state.task) {
    params.set('task', state.task);
    if (state.tab !== 'overview') params.set('tab', state.tab);
    if (state.tab === 'runs' && state.run) params.set('run', state.run);
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Whether any search filter is set: an empty answer then means "no match", not "no tasks". */
export function hasFilters(filters: ListFilters): boolean {
  return Object.values(filters).some((v) => typeof v === 'string' && v.trim() !== '');
}
